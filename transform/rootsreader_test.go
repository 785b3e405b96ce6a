package transform

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestRootsReaderFillsIDRoots: id_roots filled through the Arrow view holds
// every node once, over several batches, with its root's rep and size.
func TestRootsReaderFillsIDRoots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := memConn(t)
	if _, err := c.ExecContext(ctx, sqlRootsCreate); err != nil {
		t.Fatal(err)
	}
	const n = 2*rootsBatch + 7 // two whole batches and a short one
	// Node i's root is the multiple of 3 at or below it; a root's rep is
	// itself and its size how many nodes it has.
	rootOf := func(i int32) (int32, int32, bool, bool) { return i / 3 * 3, i / 7, i%5 == 0, i%11 == 0 }
	rep, size := make([]int32, n), make([]int32, n)
	for i := int32(0); i < n; i++ {
		r, _, _, _ := rootOf(i)
		rep[r], size[r] = r, size[r]+1
	}
	err := c.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr := newRootsReader(n, rootOf, rep, size)
		defer rr.Release()
		return execOverView(ctx, dc.(driver.Conn), ar, rr, rootsView, sqlRootsFill)
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows, distinct, sumNid, capped, cut, badRoot, badComp, badRep, sum3 int64
	err = c.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT nid), sum(nid), count(*) FILTER (capped), count(*) FILTER (cut),
		count(*) FILTER (root <> nid // 3 * 3), count(*) FILTER (comp <> nid // 7), count(*) FILTER (rep <> root),
		count(*) FILTER (size = 3) FROM id_roots`).Scan(&rows, &distinct, &sumNid, &capped, &cut, &badRoot, &badComp, &badRep, &sum3)
	if err != nil {
		t.Fatal(err)
	}
	// n = 131079 nodes 0..131078: sum n(n-1)/2; multiples of 5: 26216 (ceil(n/5)); of 11:
	// 11917 (ceil(n/11)); roots 0, 3, ..., 131076, each of 3 nodes (the last holds 131076,
	// 131077 and 131078), so every node's root has size 3.
	if rows != n || distinct != n || sumNid != int64(n)*(n-1)/2 || capped != 26216 || cut != 11917 ||
		badRoot != 0 || badComp != 0 || badRep != 0 || sum3 != n {
		t.Fatalf("rows %d distinct %d sum %d capped %d cut %d bad root/comp/rep %d/%d/%d size-3 rows %d",
			rows, distinct, sumNid, capped, cut, badRoot, badComp, badRep, sum3)
	}
}
