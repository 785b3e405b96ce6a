package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Metrics are the job metrics served on /metrics (prometheus/client_golang,
// on a registry of their own), labelled by job.
type Metrics struct {
	reg         *prometheus.Registry
	runs        *prometheus.CounterVec
	failures    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rows        *prometheus.CounterVec
	lastRows    *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	running     *prometheus.GaugeVec
}

var durationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200}

// NewMetrics returns empty job metrics on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attrib_job_runs_total",
			Help: "Finished runs (attempts) by job and status (succeeded, failed, cancelled, skipped)."}, []string{"job", "status"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attrib_job_failures_total",
			Help: "Failed runs (attempts) by job, including timeouts and panics."}, []string{"job"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "attrib_job_run_duration_seconds",
			Help: "Duration of finished runs (attempts) by job.", Buckets: durationBuckets}, []string{"job"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attrib_job_rows_total",
			Help: "Rows read by ingest (direction=in) and attribution credits written (direction=out), by job."}, []string{"job", "direction"}),
		lastRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "attrib_job_last_rows",
			Help: "Rows in (read) and out (credits) of the job's last successful run."}, []string{"job", "direction"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "attrib_job_last_success_timestamp_seconds",
			Help: "Unix time when the job last finished successfully (0: never)."}, []string{"job"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "attrib_job_running",
			Help: "1 while a run of the job is in progress."}, []string{"job"}),
	}
	m.reg.MustRegister(m.runs, m.failures, m.duration, m.rows, m.lastRows, m.lastSuccess, m.running)
	return m
}

// touch creates every series of a job, so that a job that never failed shows 0 failures.
func (m *Metrics) touch(job string) {
	for _, s := range []string{StatusSucceeded, StatusFailed, StatusCancelled, StatusSkipped} {
		m.runs.WithLabelValues(job, s)
	}
	m.failures.WithLabelValues(job)
	m.duration.WithLabelValues(job)
	for _, d := range []string{"in", "out"} {
		m.rows.WithLabelValues(job, d)
		m.lastRows.WithLabelValues(job, d)
	}
	m.lastSuccess.WithLabelValues(job)
	m.running.WithLabelValues(job)
}

// Init creates the series of every job and loads each job's last successful run (its time and rows)
// from pipeline_runs, so a restarted serve reports them.
func (m *Metrics) Init(ctx context.Context, db *sql.DB, jobs []string) error {
	for _, j := range jobs {
		m.touch(j)
	}
	rows, err := db.QueryContext(ctx, sqlLastSuccess)
	if err != nil {
		return fmt.Errorf("jobs: last success times: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var job string
		var at sql.NullTime
		var in, out int64
		if err := rows.Scan(&job, &at, &in, &out); err != nil {
			return fmt.Errorf("jobs: last success times: %w", err)
		}
		if at.Valid {
			m.touch(job)
			m.lastSuccess.WithLabelValues(job).Set(float64(at.Time.UnixNano()) / 1e9)
			// The last run's rows survive a restart like its time.
			m.lastRows.WithLabelValues(job, "in").Set(float64(in))
			m.lastRows.WithLabelValues(job, "out").Set(float64(out))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("jobs: last success times: %w", err)
	}
	return nil
}

func (m *Metrics) started(job string) {
	m.touch(job)
	m.running.WithLabelValues(job).Set(1)
}

// Observe records one finished or skipped run.
func (m *Metrics) Observe(res RunResult) {
	m.touch(res.Job)
	m.runs.WithLabelValues(res.Job, res.Status).Inc()
	if res.Status == StatusSkipped {
		return
	}
	m.running.WithLabelValues(res.Job).Set(0)
	m.duration.WithLabelValues(res.Job).Observe(res.Duration.Seconds())
	m.rows.WithLabelValues(res.Job, "in").Add(float64(res.RowsIn))
	m.rows.WithLabelValues(res.Job, "out").Add(float64(res.RowsOut))
	switch res.Status {
	case StatusFailed:
		m.failures.WithLabelValues(res.Job).Inc()
	case StatusSucceeded:
		m.lastSuccess.WithLabelValues(res.Job).Set(float64(res.Started.Add(res.Duration).UnixNano()) / 1e9)
		m.lastRows.WithLabelValues(res.Job, "in").Set(float64(res.RowsIn))
		m.lastRows.WithLabelValues(res.Job, "out").Set(float64(res.RowsOut))
	}
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// WriteText writes every metric in the Prometheus text format.
func (m *Metrics) WriteText(w io.Writer) error {
	mfs, err := m.reg.Gather()
	if err != nil {
		return fmt.Errorf("jobs: gather metrics: %w", err)
	}
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(w, mf); err != nil {
			return fmt.Errorf("jobs: write metrics: %w", err)
		}
	}
	return nil
}
