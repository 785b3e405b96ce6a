package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

// TestPublishDeltas: a delta table keeps its rows outside the delete, loses those inside it and
// gains its _next_ version's rows (matched by column name), in the same transaction as a replaced
// table; when anything in the transaction fails, both tables stay as they were.
func TestPublishDeltas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openInMemory(t)
	setup := func(c *sql.Conn) error {
		for _, s := range []string{
			`CREATE OR REPLACE TABLE people (person_id VARCHAR, stage VARCHAR)`,
			`INSERT INTO people VALUES ('p1', 'reached'), ('p2', 'active'), ('p3', 'reached'), ('p4', 'churned')`,
			`CREATE OR REPLACE TABLE summary (n INTEGER)`,
			`INSERT INTO summary VALUES (4)`,
			// p2 and p4 are rebuilt (p4 merged away), p5 is new; the columns come in another order.
			`CREATE OR REPLACE TEMP TABLE scope AS SELECT * FROM (VALUES ('p2'), ('p4'), ('p5')) v(person_id)`,
			`CREATE OR REPLACE TABLE _next_people (stage VARCHAR, person_id VARCHAR)`,
			`INSERT INTO _next_people VALUES ('retained', 'p2'), ('reached', 'p5')`,
			`CREATE OR REPLACE TABLE _next_summary (n INTEGER)`,
			`INSERT INTO _next_summary VALUES (4)`,
		} {
			if _, err := c.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
	deltas := []Delta{{Table: "people", Delete: "DELETE FROM people WHERE person_id IN (SELECT person_id FROM scope);\n"}}
	state := func() string {
		var got string
		q := `SELECT (SELECT string_agg(person_id || '=' || stage, ' ' ORDER BY person_id) FROM people) || ' | ' ||
		             (SELECT string_agg(n::VARCHAR, ' ') FROM summary) || ' | ' ||
		             (SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\_next\_%' ESCAPE '\')`
		if err := w.DB().QueryRowContext(ctx, q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	errLate := errors.New("late failure")
	err := w.Conn(ctx, func(c *sql.Conn) error {
		if err := setup(c); err != nil {
			return err
		}
		return PublishDeltas(ctx, c, []string{"people", "summary"}, deltas, func(*sql.Tx) error { return errLate })
	})
	if !errors.Is(err, errLate) {
		t.Fatalf("publish with a failing step: %v", err)
	}
	if got, want := state(), "p1=reached p2=active p3=reached p4=churned | 4 | 2"; got != want {
		t.Fatalf("after a failed publish:\n got %s\nwant %s", got, want)
	}
	err = w.Conn(ctx, func(c *sql.Conn) error {
		if err := setup(c); err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, `UPDATE _next_summary SET n = 5`); err != nil {
			return err
		}
		return PublishDeltas(ctx, c, []string{"people", "summary"}, deltas, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := state(), "p1=reached p2=retained p3=reached p5=reached | 5 | 0"; got != want {
		t.Fatalf("after PublishDeltas:\n got %s\nwant %s", got, want)
	}
}
