package transform_test

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attrib/transform"
)

// TestIdentityGuard: 300 customers each log in on their own cookie and are also served in a
// branch on one shared tablet (cookie branch-tablet-7), and 20 of them gave the placeholder
// e-mail noemail@bank.example. Without a guard the tablet fuses all 300 into one person.
// With identity.max_component_size 50 the component (601 identifiers: 300 customers, 300
// cookies, the tablet) is reported in identity_oversized, the tablet, the one identifier
// linked to everyone, is cut, and the 300 customers come out as 300 persons, each with its
// own cookie. The block list keeps the placeholder e-mail (its 41 identifiers < cap) from fusing its 20.
func TestIdentityGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var touches, convs []string
	for i := range 300 {
		cust, cookie := fmt.Sprintf("C%03d", i), fmt.Sprintf("ck%03d", i)
		touches = append(touches,
			fmt.Sprintf("%s,%s,,2025-05-01T%02d:%02d:00Z,Paid Search", cookie, cust, i%24, i%60),
			fmt.Sprintf("branch-tablet-7,%s,,2025-05-02T%02d:%02d:00Z,Branch", cust, i%24, i%60))
		email := ""
		if i < 20 {
			email = "noemail@bank.example"
		}
		convs = append(convs, fmt.Sprintf("%s,%s,2025-05-03T10:00:00Z,account_opened,100", cust, email))
	}
	cfgText := guardConfig(`  - name: conversions
    dataset: conversions
    path: data/conversions.csv
`, `  block: [noemail@bank.example]
`)
	files := map[string]string{
		"attrib.yaml":          cfgText,
		"data/touchpoints.csv": "anonymous_id,customer_id,email,occurred_at,channel\n" + strings.Join(touches, "\n") + "\n",
		"data/conversions.csv": "customer_id,email,occurred_at,conversion_type,revenue\n" + strings.Join(convs, "\n") + "\n",
	}
	writeFiles(t, dir, files)
	cfg, w := openConfig(t, dir)
	res := runPipeline(t, cfg, w)
	ctx := context.Background()
	db := w.DB()

	if res.Stitch.OverCap != 1 || res.Stitch.Cut != 1 {
		t.Errorf("stitch stats %+v, want 1 oversized component and 1 identifier cut", res.Stitch)
	}
	checkPersonIDs(t, w.DB(), res.Stitch.Persons)
	// Customer C000 and cookie ck000 are one person, named after the smaller of the two identifiers.
	sum := md5.Sum([]byte("a:ck000"))
	want := "p_" + hex.EncodeToString(sum[:])[:16]
	var got string
	if err := w.DB().QueryRowContext(context.Background(), `SELECT person_id FROM identity_map WHERE identifier = 'c:C000'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("person of C000 = %s, want %s (from a:ck000)", got, want)
	}
	var persons int
	if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT person_id) FROM conversions`).Scan(&persons); err != nil {
		t.Fatal(err)
	}
	if persons != 300 {
		t.Errorf("the 300 customers' conversions belong to %d persons, want 300", persons)
	}
	// Each customer is still one person with their own cookie.
	var joined int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM identity_map c JOIN identity_map a
		ON a.identifier = 'a:ck' || substr(c.identifier, 4) AND a.person_id = c.person_id
		WHERE c.identifier LIKE 'c:C%'`).Scan(&joined); err != nil {
		t.Fatal(err)
	}
	if joined != 300 {
		t.Errorf("%d customers share a person with their own cookie, want 300", joined)
	}
	// The cut tablet is only no longer a link: a branch visit whose row names the customer
	// is still that customer's touch, and the last one before each conversion.
	var branch float64
	if err := db.QueryRowContext(ctx, `SELECT coalesce(sum(credit), 0) FROM attribution_credits
		WHERE channel = 'Branch' AND model = 'last_touch'`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	if branch != 300 {
		t.Errorf("last_touch Branch = %v, want 300 (one per customer)", branch)
	}
	var identifiers, customers, cutCount, after int
	var cut string
	if err := db.QueryRowContext(ctx, `SELECT identifiers, customer_ids, cut_count, cut_identifiers[1], persons_after
		FROM identity_oversized`).Scan(&identifiers, &customers, &cutCount, &cut, &after); err != nil {
		t.Fatal(err)
	}
	if identifiers != 601 || customers != 300 || cutCount != 1 || cut != "a:branch-tablet-7" || after != 301 {
		t.Errorf("identity_oversized: %d identifiers, %d customers, cut %d %s, %d persons after; want 601, 300, 1 a:branch-tablet-7, 301",
			identifiers, customers, cutCount, cut, after)
	}

	// New data for a new customer on a new cookie touches no cut component: the next run is
	// incremental and rebuilds that one person. A new cookie of a customer of the cut
	// component makes the run stitch everything again (the guard must see the whole component).
	appendTo := func(name, line string) {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(line); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	appendTo("data/touchpoints.csv", "ck999,C999,,2025-05-04T10:00:00Z,Email\n")
	appendTo("data/conversions.csv", "C999,,2025-05-05T10:00:00Z,account_opened,50\n")
	res = runPipeline(t, cfg, w)
	if res.Mode != transform.ModeIncremental || res.Rebuilt != 1 {
		t.Errorf("new customer: mode %q (%s), rebuilt %d; want incremental, 1", res.Mode, res.FullReason, res.Rebuilt)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT person_id) FROM conversion_paths`).Scan(&persons); err != nil {
		t.Fatal(err)
	}
	if persons != 301 {
		t.Errorf("after the new customer: %d persons with conversions, want 301", persons)
	}
	appendTo("data/touchpoints.csv", "ck-new-005,C005,,2025-05-04T11:00:00Z,Email\n")
	res = runPipeline(t, cfg, w)
	if res.Mode != transform.ModeFull || !strings.Contains(res.FullReason, "max_component_size") {
		t.Errorf("new cookie in the cut component: mode %q (%s); want a full run because of the cap", res.Mode, res.FullReason)
	}
	if err := db.QueryRowContext(ctx, `SELECT identifiers FROM identity_oversized`).Scan(&identifiers); err != nil {
		t.Fatal(err)
	}
	checkPersonIDs(t, db, res.Stitch.Persons)
	if identifiers != 602 {
		t.Errorf("oversized component after the new cookie: %d identifiers, want 602", identifiers)
	}

	// Without the block list the placeholder e-mail fuses its 20 customers (under the cap,
	// so the guard does not see them); with it they stay apart (checked above: 300 persons).
	cfg.Identity.Block = nil
	runPipeline(t, cfg, w)
	if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT person_id) FROM conversions`).Scan(&persons); err != nil {
		t.Fatal(err)
	}
	if persons != 282 {
		t.Errorf("without the block list: %d persons, want 282 (20 of the 301 customers fused into one)", persons)
	}
}

// checkPersonIDs: every person id in identity_map is 'p_' and the first 16 hex digits of the MD5
// of the smallest of its identifiers, component_size counts its identifiers, and the stitch
// counted persons persons.
func checkPersonIDs(t *testing.T, db *sql.DB, persons int) {
	t.Helper()
	var rows, wrongID, wrongSize, distinct int
	if err := db.QueryRowContext(context.Background(), `
		WITH p AS (SELECT person_id, 'p_' || substr(md5(min(identifier)), 1, 16) AS want, count(*) AS n
		           FROM identity_map GROUP BY person_id)
		SELECT count(*), count(*) FILTER (WHERE m.person_id <> p.want), count(*) FILTER (WHERE m.component_size <> p.n),
		       count(DISTINCT m.person_id)
		FROM identity_map m JOIN p USING (person_id)`).Scan(&rows, &wrongID, &wrongSize, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || wrongID != 0 || wrongSize != 0 || distinct != persons {
		t.Errorf("identity_map: %d rows, %d with a person id not from the smallest identifier, %d with a wrong component_size, %d persons (stitch counted %d)",
			rows, wrongID, wrongSize, distinct, persons)
	}
}

// TestIdentityGuardLinksAroundFirstIdentifier: the guard counts a node's links as the stitching
// makes them, from the first identifier of each row's set (customer, then cookie, e-mail, phone)
// to each of the others. Sixty customers are each seen with their own e-mail on one shared cookie
// (a kiosk), in rows that hold all three: each row links the customer to the kiosk and to the
// e-mail, so the kiosk has 60 links, each customer 2 and each e-mail 1. With a cap of 50 the
// guard cuts the kiosk only, and each customer stays one person with their e-mail: 60 persons
// among the customers and e-mails. Linked around the kiosk instead (120 links), the e-mails would
// lose their customers (120 persons).
func TestIdentityGuardLinksAroundFirstIdentifier(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var touches []string
	for i := range 60 {
		touches = append(touches, fmt.Sprintf("kiosk-1,C%03d,c%03d@bank.example,2025-05-01T10:%02d:00Z,Branch", i, i, i))
	}
	writeFiles(t, dir, map[string]string{
		"attrib.yaml":          guardConfig("", ""),
		"data/touchpoints.csv": "anonymous_id,customer_id,email,occurred_at,channel\n" + strings.Join(touches, "\n") + "\n",
	})
	cfg, w := openConfig(t, dir)
	res := runPipeline(t, cfg, w)
	if res.Stitch.OverCap != 1 || res.Stitch.Cut != 1 || res.Stitch.Links != 120 {
		t.Errorf("stitch stats %+v, want 120 links, 1 oversized component and 1 identifier cut", res.Stitch)
	}
	var persons, cut int
	var cutID string
	if err := w.DB().QueryRowContext(context.Background(), `SELECT count(DISTINCT person_id) FROM identity_map
		WHERE identifier_type IN ('c', 'e')`).Scan(&persons); err != nil {
		t.Fatal(err)
	}
	if err := w.DB().QueryRowContext(context.Background(), `SELECT cut_count, cut_identifiers[1] FROM identity_oversized`).Scan(&cut, &cutID); err != nil {
		t.Fatal(err)
	}
	if persons != 60 || cut != 1 || cutID != "a:kiosk-1" {
		t.Errorf("%d persons among customers and e-mails, cut %d (%s); want 60, 1 (a:kiosk-1)", persons, cut, cutID)
	}
}

// guardConfig is the guard tests' config: touchpoints from data/touchpoints.csv and moreSources
// (source list items), identity.max_component_size 50 and moreIdentity (identity keys), last touch.
func guardConfig(moreSources, moreIdentity string) string {
	return `warehouse:
  path: attrib.duckdb
pii:
  key: guard-test-key
sources:
  - name: web
    dataset: touchpoints
    path: data/touchpoints.csv
` + moreSources + `identity:
  max_component_size: 50
` + moreIdentity + `attribution:
  models: [last_touch]
evaluation:
  acquisition_model: last_touch
`
}
