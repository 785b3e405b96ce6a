package warehouse

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"testing"
)

// TestPersonParts: every person id falls in exactly one pass, whatever its form, and ids of the
// form identity_map gives ("p_" and 16 hex digits of an MD5) spread evenly over the passes.
func TestPersonParts(t *testing.T) {
	odd := []string{"", "p", "p_", "old", "q0", "p1", "P_ABC", "p_ffffffffffffffffff", "\U0010FFFF\U0010FFFF", "p_00000000", "p_7fffffff", "p_80000000"}
	for _, n := range []int{1, 2, 3, 7, 64} {
		parts := PersonParts(n)
		if len(parts) != n {
			t.Fatalf("%d passes: %d parts", n, len(parts))
		}
		if parts[0].Lo != "" || !parts[n-1].Open {
			t.Fatalf("%d passes: first starts at %q, last open %v", n, parts[0].Lo, parts[n-1].Open)
		}
		count := make([]int, n)
		ids := odd
		for i := range 70_000 {
			h := md5.Sum([]byte("node" + strconv.Itoa(i)))
			ids = append(ids, "p_"+hex.EncodeToString(h[:])[:16])
		}
		for i, id := range ids {
			in := 0
			for k, p := range parts {
				if p.Holds(id) {
					in++
					if i >= len(odd) {
						count[k]++
					}
				}
			}
			if in != 1 {
				t.Fatalf("%d passes: %q falls in %d", n, id, in)
			}
		}
		// 70,000 ids in n parts: each within 10% of its share (a part of 1,094 ids at 64
		// passes has a standard deviation of 33).
		for k, c := range count {
			share := 70_000 / n
			if c < share*9/10 || c > share*11/10 {
				t.Errorf("%d passes: part %d has %d ids, want about %d", n, k, c, share)
			}
		}
	}
	if got := PersonParts(0); len(got) != 1 || !got[0].Open || got[0].Lo != "" {
		t.Errorf("PersonParts(0) = %+v, want one open part from \"\"", got)
	}
	if got := PersonParts(4); got[1].Lo != "p_40000000" || got[1].Hi != "p_80000000" || len(got[1].Args()) != 2 || len(got[3].Args()) != 1 {
		t.Errorf("PersonParts(4) = %+v", got)
	}
}
