package jobs

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestMetricsAfterRestart: a new process's metrics (Init on the same
// warehouse) show the last successful run's rows, not 0.
func TestMetricsAfterRestart(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	ctx := context.Background()
	res, err := r.Run(ctx, fullJob("daily"), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsOut == 0 {
		t.Fatalf("the run wrote no rows: %+v", res)
	}
	m := NewMetrics()
	if err := m.Init(ctx, w.DB(), []string{"daily"}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := m.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf(`attrib_job_last_rows{direction="in",job="daily"} %d`, res.RowsIn),
		fmt.Sprintf(`attrib_job_last_rows{direction="out",job="daily"} %d`, res.RowsOut),
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("after a restart the metrics lack %q:\n%s", want, b.String())
		}
	}
}
