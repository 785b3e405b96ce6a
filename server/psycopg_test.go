package server

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// pythonWithPsycopg finds a Python that imports psycopg2, installing
// Debian's python3-psycopg2 when running as root with apt-get.
func pythonWithPsycopg(t *testing.T) string {
	t.Helper()
	try := func() string {
		for _, py := range []string{"/usr/bin/python3", "python3"} {
			if exec.Command(py, "-c", "import psycopg2").Run() == nil {
				return py
			}
		}
		return ""
	}
	if py := try(); py != "" {
		return py
	}
	if _, err := exec.LookPath("apt-get"); err != nil || os.Geteuid() != 0 {
		t.Fatalf("python3-psycopg2 is missing and cannot be installed here (run .ci/setup.sh as root)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-psycopg2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("apt-get install python3-psycopg2: %v\n%s", err, out)
	}
	if py := try(); py != "" {
		return py
	}
	t.Fatal("python3-psycopg2 installed but not importable")
	return ""
}

const psycopgScript = `
import sys, json, decimal, datetime, psycopg2
host, port, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conn = psycopg2.connect(host=host, port=port, user="analyst", password=pw, dbname="attrib", sslmode="disable")
cur = conn.cursor()
cur.execute("SELECT channel, sum(revenue) AS revenue, min(date) AS first FROM channel_performance WHERE model = %s AND channel = %s GROUP BY channel", ("markov", "Email"))
ch, rev, first = cur.fetchone()
assert isinstance(rev, decimal.Decimal), type(rev)
assert isinstance(first, datetime.date), type(first)
cur.execute("SELECT tstz, iv, li, js FROM type_zoo")
tstz, iv, li, js = cur.fetchone()
out = {"channel": ch, "revenue": str(rev), "first": first.isoformat(), "tstz": tstz.isoformat(),
       "iv_days": iv.days, "li": li, "js": js, "cols": [d.name for d in cur.description]}
try:
    cur.execute("DELETE FROM channel_performance")
    out["delete"] = "allowed"
except psycopg2.Error as e:
    out["delete"] = e.pgcode
conn.rollback()
print(json.dumps(out))
`

// TestPsycopg2: a client of another ecosystem (Python's psycopg2, libpq).
func TestPsycopg2(t *testing.T) {
	t.Parallel()
	py := pythonWithPsycopg(t)
	e := newTestEnv(t, nil)
	host, port, _ := strings.Cut(e.pg, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", psycopgScript, host, port, testPassword).CombinedOutput()
	if err != nil {
		t.Fatalf("psycopg2: %v\n%s", err, out)
	}
	var want string
	if err := e.w.DB().QueryRow("SELECT sum(revenue)::VARCHAR FROM channel_performance WHERE model = 'markov' AND channel = 'Email'").Scan(&want); err != nil {
		t.Fatal(err)
	}
	mustContain(t, string(out), `"channel": "Email"`, `"revenue": "`+want+`"`, `"first": "2025-01-02"`,
		`"tstz": "2025-03-04T05:06:07+00:00"`, `"iv_days": 428`, `"li": [1, 2, null]`, `"js": {"k": [1, 2]}`, `"delete": "25006"`)
}
