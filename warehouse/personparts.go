package warehouse

import "fmt"

// PersonPart is one pass of a statement cut by person: the people with Lo <= person_id < Hi, or,
// for the last pass (Open), Lo <= person_id. The first pass starts at "", which every string
// reaches, and the last has no upper bound, so every person id falls in exactly one pass whatever
// its form.
//
// A pass picks its people with two comparisons on person_id, which DuckDB evaluates inside the table
// scan even when the statement joins the table (it then reads the other columns of the pass's rows
// only). The condition this replaces, hash(person_id) % n = p, stayed a filter above the scan in
// joins, so every pass read every column of every row (docs/BENCHMARKS.md, "Passes by person-id
// range").
type PersonPart struct {
	Lo, Hi string
	Open   bool
}

// Holds reports whether the person id falls in the pass, as its statement's condition puts it
// (DuckDB compares strings byte by byte, as Go does).
func (p PersonPart) Holds(id string) bool {
	return id >= p.Lo && (p.Open || id < p.Hi)
}

// Args are the pass's bounds as statement parameters: Lo and Hi, or Lo alone for the open last pass
// (whose statement has no upper bound).
func (p PersonPart) Args() []any {
	if p.Open {
		return []any{p.Lo}
	}
	return []any{p.Lo, p.Hi}
}

// PersonParts cuts the person ids into n passes (at least one). Person ids are "p_" and 16 hex
// digits of an MD5 (transform's identity_map), spread evenly over that range, so the bounds cut the
// range of their first eight hex digits into n equal parts: "p_" + %08x of k*2^32/n.
func PersonParts(n int) []PersonPart {
	n = max(n, 1)
	parts := make([]PersonPart, n)
	for k := range parts {
		if k > 0 {
			parts[k].Lo = personBound(k, n)
		}
		if k == n-1 {
			parts[k].Open = true
		} else {
			parts[k].Hi = personBound(k+1, n)
		}
	}
	return parts
}

// personBound is the k-th of n bounds, 0 < k < n.
func personBound(k, n int) string {
	return fmt.Sprintf("p_%08x", uint64(k)<<32/uint64(n))
}
