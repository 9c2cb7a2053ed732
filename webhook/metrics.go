package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// Metrics are the webhook's Prometheus metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	findings *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	waits    *prometheus.CounterVec
	rules    map[string]string // code -> rule name
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer, cat policies.Catalog) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meshguard_admission_requests_total",
			Help: "Admission requests by kind, operation, dry run and verdict (allowed, warned, denied, error).",
		}, []string{"kind", "operation", "dry_run", "verdict"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meshguard_admission_findings_total",
			Help: "Findings returned at admission, by rule code, rule name and severity.",
		}, []string{"code", "rule", "severity"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "meshguard_admission_duration_seconds",
			Help:    "Time to judge an admission request, decoding to verdict, by kind.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
		}, []string{"kind"}),
		waits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meshguard_view_waits_total",
			Help: "Requests that waited for the cluster view to show an object the replica admitted a moment before, by outcome: shown, deleted (the watch saw it deleted before the view showed it), or timeout (the API server did not store it, or the view lags more than half a second).",
		}, []string{"outcome"}),
		rules: map[string]string{},
	}
	for _, r := range cat {
		m.rules[r.Code] = r.Name
	}
	for _, c := range []prometheus.Collector{m.requests, m.findings, m.latency, m.waits} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// waited counts a wait for the view.
func (m *Metrics) waited(outcome string) {
	if m != nil {
		m.waits.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) observe(kind string, req admission.Request, findings []policies.Finding, resp admission.Response, took time.Duration) {
	if m == nil {
		return
	}
	verdict := "allowed"
	switch {
	case resp.Result != nil && resp.Result.Code >= 400 && resp.Result.Code != 403:
		verdict = "error"
	case !resp.Allowed:
		verdict = "denied"
	case len(resp.Warnings) > 0:
		verdict = "warned"
	}
	dry := "false"
	if req.DryRun != nil && *req.DryRun {
		dry = "true"
	}
	m.requests.WithLabelValues(kind, string(req.Operation), dry, verdict).Inc()
	m.latency.WithLabelValues(kind).Observe(took.Seconds())
	for _, f := range findings {
		m.findings.WithLabelValues(f.Rule, m.rules[f.Rule], string(f.Severity)).Inc()
	}
}
