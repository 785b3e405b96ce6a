package transform

import (
	"context"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// maxGuardRounds bounds the hub cutting; components still over the cap after it are split
// into single identifiers.
const maxGuardRounds = 64

// guard breaks up components over the size cap. A component that large is almost always
// the work of a few shared identifiers (a branch tablet's cookie, a call-centre placeholder
// phone, a family e-mail) linked to very many others. Each round cuts, in every component
// still over the cap, the identifiers with the most links in it (all that tie), and
// recomputes the components without them. Cut identifiers are not used for stitching: each
// becomes a person of its own, and the rest of the component falls apart into the people
// it really holds. The result depends only on the edges, never on their order.
type guard struct {
	local  map[int32]int32 // global node id -> local index (nodes of oversized components)
	global []int32         // local index -> global node id, ascending
	cut    map[int32]bool  // local indices cut
	final  *unionFind      // components without the cut nodes
	split  map[int32]bool  // local roots still over the cap after maxGuardRounds: split fully
}

func newGuard(ctx context.Context, ar *duckdb.Arrow, uf *unionFind, over map[int32]bool, maxSize int) (*guard, error) {
	g := &guard{local: map[int32]int32{}, cut: map[int32]bool{}, split: map[int32]bool{}}
	for i := range uf.parent {
		if over[uf.find(int32(i))] {
			g.local[int32(i)] = int32(len(g.global))
			g.global = append(g.global, int32(i))
		}
	}
	// Second pass over the edges: keep those inside oversized components.
	var edges [][2]int32
	err := readEdges(ctx, ar, func(a, b int32) {
		if la, ok := g.local[a]; ok {
			edges = append(edges, [2]int32{la, g.local[b]})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("guard: %w", err)
	}
	n := len(g.global)
	for round := 0; ; round++ {
		cuf := newUnionFind(n)
		deg := make([]int32, n)
		for _, e := range edges {
			if g.cut[e[0]] || g.cut[e[1]] || e[0] == e[1] {
				continue
			}
			cuf.union(e[0], e[1])
			deg[e[0]]++
			deg[e[1]]++
		}
		g.final = cuf
		// The highest degree in each component still over the cap.
		top := map[int32]int32{}
		for i := range n {
			r := cuf.find(int32(i))
			if int(cuf.size[r]) > maxSize && !g.cut[int32(i)] {
				top[r] = max(top[r], deg[i])
			}
		}
		if len(top) == 0 {
			return g, nil
		}
		if round == maxGuardRounds {
			for r := range top {
				g.split[r] = true
			}
			return g, nil
		}
		for i := range n {
			r := cuf.find(int32(i))
			if d, ok := top[r]; ok && !g.cut[int32(i)] && deg[i] == d {
				g.cut[int32(i)] = true
			}
		}
	}
}

// root returns the node's new component root (a global node id) and whether it was cut.
func (g *guard) root(nid int32) (int32, bool) {
	l := g.local[nid]
	if g.cut[l] {
		return nid, true
	}
	r := g.final.find(l)
	if g.split[r] {
		return nid, false
	}
	return g.global[r], false
}
