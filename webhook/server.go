package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// ValidatePath is where the validating webhook is served.
const ValidatePath = "/validate"

// Options configure Serve.
type Options struct {
	// Namespace is osm-edge's control-plane namespace (osm-system).
	Namespace string
	// MeshConfigName is the mesh's MeshConfig (osm-mesh-config).
	MeshConfigName string
	// MeshName is the mesh's name (osm), as namespaces are labelled
	// openservicemesh.io/monitored-by=<mesh name>.
	MeshName string
	// Host and Port are where the webhooks listen (HTTPS).
	Host string
	Port int
	// CertDir holds tls.crt and tls.key; a change is picked up without a restart.
	CertDir string
	// MetricsAddr and HealthAddr serve /metrics and /healthz, /readyz (HTTP);
	// "0" turns one off.
	MetricsAddr string
	HealthAddr  string
	// Disabled are rule codes turned off.
	Disabled []string
	// Inject serves the injecting webhook (MutatePath). Without it this
	// server only validates, beside osm-edge's own injector, and the rules
	// say nothing of what meshguard's injector cannot inject.
	Inject bool
	// InjectorLogLevel is osm-healthcheck's --verbosity in injected pods
	// (inject.Config); empty means info.
	InjectorLogLevel string
	Log              logr.Logger
}

// Serve runs the webhook server until ctx ends.
func Serve(ctx context.Context, cfg *rest.Config, o Options) error {
	engine, err := policies.New(ctx, policies.WithDisabled(o.Disabled...))
	if err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	meshConfig := &unstructured.Unstructured{}
	meshConfig.SetGroupVersionKind(MeshConfigGVK)

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme,
		Logger: o.Log,
		Cache: cache.Options{
			// Only the control-plane namespace's MeshConfigs; everything else
			// cluster-wide. managedFields are dropped: no rule reads them.
			ByObject:         map[client.Object]cache.ByObject{meshConfig: {Namespaces: map[string]cache.Config{o.Namespace: {}}}},
			DefaultTransform: cache.TransformStripManagedFields(),
		},
		Metrics:                metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress: o.HealthAddr,
		WebhookServer: crwebhook.NewServer(crwebhook.Options{
			Host:    o.Host,
			Port:    o.Port,
			CertDir: o.CertDir,
			TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.MinVersion = tls.VersionTLS13 }},
		}),
	})
	if err != nil {
		return fmt.Errorf("set up the webhook server: %w", err)
	}
	inv := &ClusterInventory{
		Engine: engine, Cache: mgr.GetCache(),
		Namespace: o.Namespace, MeshConfigName: o.MeshConfigName, MeshName: o.MeshName,
		Log: o.Log.WithName("inventory"),
	}
	if err := mgr.Add(inv); err != nil {
		return err
	}
	m, err := NewMetrics(metrics.Registry, engine.Catalog())
	if err != nil {
		return err
	}
	v := &Validator{Engine: engine, Inventory: inv, Metrics: m, Live: mgr.GetAPIReader()}
	if o.Inject {
		// The rules hear that this server injects by the MeshConfig it
		// watches: a change to it that meshguard's injector cannot follow
		// would make it refuse every pod of the mesh.
		v.InjectorMeshConfig = o.Namespace + "/" + o.MeshConfigName
		injector := &Injector{
			Engine: engine, View: inv, MeshName: o.MeshName, Namespace: o.Namespace, Metrics: m, InjectorLogLevel: o.InjectorLogLevel,
			MeshConfigName: o.MeshConfigName,
			Secrets:        ClientSecrets{Reader: mgr.GetAPIReader(), Writer: mgr.GetClient()},
		}
		mgr.GetWebhookServer().Register(MutatePath, StatusCodes(&admission.Webhook{Handler: injector}))
	}
	mgr.GetWebhookServer().Register(ValidatePath, StatusCodes(&admission.Webhook{Handler: v}))
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker()); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("cluster-view", func(*http.Request) error {
		if !inv.Ready() {
			return ErrNotReady
		}
		return nil
	}); err != nil {
		return err
	}
	o.Log.Info("starting", "port", o.Port, "inject", o.Inject, "namespace", o.Namespace, "meshConfig", o.MeshConfigName, "rules", len(engine.Catalog()))
	return mgr.Start(ctx)
}

// StatusCodes gives an answer that is not a verdict a real HTTP status.
// controller-runtime answers every request with 200 and puts an error's code in
// the AdmissionReview, and the API server reads any 200 answer with
// allowed=false as a denial. A request meshguard could not read (400, 413), a
// view not synced yet (503) or a failed evaluation (500) is no verdict: with a
// real status the API server applies the webhook's failurePolicy instead of
// denying the user's request. The body is unchanged.
func StatusCodes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := bufs.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufs.Put(buf)
		rec := &recorder{header: w.Header(), body: buf, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == http.StatusOK {
			status = failedStatus(buf.Bytes())
		}
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
	})
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type recorder struct {
	header http.Header
	body   *bytes.Buffer
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

// failedStatus returns the error code of an answer that is not a verdict,
// else 200. Only answers with allowed=false are decoded.
func failedStatus(body []byte) int {
	if !bytes.Contains(body, []byte(`"allowed":false`)) {
		return http.StatusOK
	}
	var ar struct {
		Response *struct {
			Status *struct {
				Code int `json:"code"`
			} `json:"status"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &ar) != nil || ar.Response == nil || ar.Response.Status == nil {
		return http.StatusOK
	}
	if c := ar.Response.Status.Code; c >= 400 && c != http.StatusForbidden {
		return c
	}
	return http.StatusOK
}
