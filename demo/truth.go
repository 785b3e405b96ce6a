package demo

import (
	"math"
	"strconv"
)

const (
	truthPath     = "truth.csv"
	truthConvPath = "truth_conversions.csv"
	truthIncrPath = "truth_incremental.csv"
)

// TruthRow is one line of truth.csv: how many conversions of a type a
// channel truly caused. Share is the channel's share among the
// marketing-caused conversions of the type (baseline excluded); HasShare
// is false, and the CSV field empty, for the (baseline) row and for a type
// without any marketing-caused conversion.
type TruthRow struct {
	ConversionType string
	Channel        string
	Conversions    int64
	Share          float64
	HasShare       bool
}

// truthRows computes truth.csv from the per-type cause counts: every
// channel (zeros included, so a model crediting a channel without effect
// is scored against 0) and a (baseline) row with an empty share.
func truthRows(counts *[nConvTypes][nChannels + 1]int64) []TruthRow {
	var rows []TruthRow
	for t := range nConvTypes {
		var caused int64
		for ch := range nChannels {
			caused += counts[t][ch]
		}
		for ch := range nChannels + 1 {
			row := TruthRow{ConversionType: convTypeNames[t], Channel: channelNames[ch], Conversions: counts[t][ch]}
			if ch != chBaseline && caused > 0 {
				row.Share = float64(counts[t][ch]) / float64(caused)
				row.HasShare = true
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// writeTruth writes truth.csv (conversion_type,channel,true_conversions,true_share).
func (g *generator) writeTruth(rows []TruthRow) (*outFile, error) {
	return g.writeSmall(truthPath, "", "", "conversion_type,channel,true_conversions,true_share", len(rows), func(b []byte, i int) []byte {
		r := &rows[i]
		b = append(b, r.ConversionType...)
		b = append(b, ',')
		b = appendCSV(b, r.Channel)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.Conversions, 10)
		b = append(b, ',')
		if r.HasShare {
			b = strconv.AppendFloat(b, r.Share, 'f', 6, 64)
		}
		return b
	})
}

// IncrementalRow is one line of truth_incremental.csv: what switching a
// channel off (same people, same draws) costs in conversions of a type, or
// of all types for ConversionType "(all)". Revenue is in USD. Share is the
// channel's incremental conversions over the sum of all channels' of the
// type; HasShare is false, and the CSV field empty, when that sum is 0.
type IncrementalRow struct {
	ConversionType string
	Channel        string
	Conversions    int64
	Revenue        float64
	Share          float64
	HasShare       bool
}

// allTypes is the conversion_type of rows over all conversion types.
const allTypes = "(all)"

// incrementalRows computes truth_incremental.csv: per conversion type and
// for (all), every channel of nIncr in order, zeros included. revCents is
// in cents.
func incrementalRows(counts, revCents *[nConvTypes][nIncr]int64) []IncrementalRow {
	var rows []IncrementalRow
	var all, allRev [nIncr]int64
	emit := func(name string, n, rev *[nIncr]int64) {
		var sum int64
		for _, v := range n {
			sum += v
		}
		for ic := range nIncr {
			row := IncrementalRow{ConversionType: name, Channel: incrNames[ic], Conversions: n[ic], Revenue: float64(rev[ic]) / 100}
			if sum != 0 {
				row.Share, row.HasShare = float64(n[ic])/float64(sum), true
			}
			rows = append(rows, row)
		}
	}
	for t := range nConvTypes {
		emit(convTypeNames[t], &counts[t], &revCents[t])
		for ic := range nIncr {
			all[ic] += counts[t][ic]
			allRev[ic] += revCents[t][ic]
		}
	}
	emit(allTypes, &all, &allRev)
	return rows
}

// writeIncremental writes truth_incremental.csv (conversion_type, channel,
// true_incremental_conversions, true_incremental_revenue, true_share).
func (g *generator) writeIncremental(rows []IncrementalRow) (*outFile, error) {
	const header = "conversion_type,channel,true_incremental_conversions,true_incremental_revenue,true_share"
	return g.writeSmall(truthIncrPath, "", "", header, len(rows), func(b []byte, i int) []byte {
		r := &rows[i]
		b = appendCSV(b, r.ConversionType)
		b = append(b, ',')
		b = appendCSV(b, r.Channel)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.Conversions, 10)
		b = append(b, ',')
		b = appendCents(b, int64(math.Round(r.Revenue*100)))
		b = append(b, ',')
		if r.HasShare {
			b = strconv.AppendFloat(b, r.Share, 'f', 6, 64)
		}
		return b
	})
}
