package transform

// unionFind is a disjoint-set forest over dense int32 ids with union by size
// and path halving. The root of a set is not meaningful by itself: person ids
// are made from the smallest identifier of each component, which components
// (stitch.go) finds by node id.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

// add appends a new singleton set and returns its id.
func (u *unionFind) add() int32 {
	i := int32(len(u.parent))
	u.parent = append(u.parent, i)
	u.size = append(u.size, 1)
	return i
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if u.size[ra] < u.size[rb] {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
}
