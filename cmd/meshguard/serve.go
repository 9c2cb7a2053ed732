package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap/zapcore"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/meshguard/meshguard/inject"
	"github.com/meshguard/meshguard/webhook"
)

func newServeCommand(s streams) *cobra.Command {
	o := webhook.Options{}
	var kubeconfig, logFormat string
	var verbosity int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the rules as a validating admission webhook (HTTPS)",
		Long: `serve runs the admission webhook: POST /validate answers AdmissionReview
requests for MeshConfig, Egress and UpstreamTrafficSetting with the same rules as
meshguard validate. Deny findings deny the request (all of them in one message),
warn findings become kubectl "Warning:" lines of at most 120 characters, each
"[MGxxxx] message (field path)". POST /mutate-pod injects osm-edge's Pipy sidecar
into pods of monitored namespaces, unless --inject=false (a meshguard that only
validates, while osm-edge's own injector injects).

Cross-resource rules read MeshConfigs, Egresses, UpstreamTrafficSettings and
Namespaces from a watch cache, never from a call per request (but an
UpstreamTrafficSetting an Egress names that the cache does not have yet, read
from the API server, as kubectl apply sends both within milliseconds). /readyz stays
failing until that cache has synced; /healthz and /metrics are served on their
own HTTP ports.

The serving certificate is tls.crt and tls.key in --cert-dir, reloaded when the
files change (cert-manager rotates them in a cluster, see manifests/deploy).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if logFormat != "json" && logFormat != "text" {
				return usageErr("--log-format must be json or text, not %q", logFormat)
			}
			if o.Port < 1 || o.Port > 65535 {
				return usageErr("--port %d is not a TCP port (1-65535)", o.Port)
			}
			if o.Namespace == "" || o.MeshConfigName == "" {
				return usageErr("--namespace and --mesh-config-name must not be empty")
			}
			if err := checkInjectorLogLevel(o.InjectorLogLevel); err != nil {
				return err
			}
			if os.Getenv("GOGC") == "" {
				// The live heap is about 10 MB and each request allocates about
				// 120 KB, so the default GOGC=100 collects several times a second
				// and its pauses make the p99. At 400 the injecting handler's p99
				// in process went from 3.4 to 1.4 ms (docs/benchmarks.md), for a
				// heap target of about 50 MB. GOGC still overrides it.
				debug.SetGCPercent(400)
			}
			log := zap.New(zap.WriteTo(s.err), zap.UseDevMode(logFormat == "text"), zap.Level(zapcore.Level(-verbosity)))
			ctrl.SetLogger(log)
			o.Log = log
			cfg, err := restConfig(kubeconfig)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if err := webhook.Serve(cmd.Context(), cfg, o); err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Namespace, "namespace", "osm-system", "osm-edge's control-plane namespace, where the MeshConfig lives")
	f.StringVar(&o.MeshConfigName, "mesh-config-name", "osm-mesh-config", "name of the mesh's MeshConfig")
	f.StringVar(&o.MeshName, "mesh-name", "osm", "mesh name, as in the openservicemesh.io/monitored-by namespace label")
	f.StringVar(&o.Host, "host", "", "address the webhook listens on (empty: all)")
	f.IntVar(&o.Port, "port", 9443, "HTTPS port of the webhook")
	f.StringVar(&o.CertDir, "cert-dir", "/tmp/k8s-webhook-server/serving-certs", "directory holding tls.crt and tls.key")
	f.StringVar(&o.MetricsAddr, "metrics-bind-address", ":8080", `address of /metrics (Prometheus, HTTP); "0" turns it off`)
	f.StringVar(&o.HealthAddr, "health-probe-bind-address", ":8081", `address of /healthz and /readyz (HTTP); "0" turns it off`)
	f.StringSliceVar(&o.Disabled, "disable", nil, "rule codes to turn off, comma-separated (meshguard rules lists them)")
	f.BoolVar(&o.Inject, "inject", true, "serve the injecting webhook (/mutate-pod); --inject=false for a meshguard that only validates, beside osm-edge's own injector (then no rule speaks of meshguard's injector)")
	injectorLogLevelFlag(f, &o.InjectorLogLevel)
	f.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)")
	f.StringVar(&logFormat, "log-format", "json", "log format: json or text")
	f.IntVarP(&verbosity, "v", "v", 0, "log verbosity; 1 logs every finding")
	return cmd
}

// injectorLogLevelFlag registers --injector-log-level (serve and inject).
func injectorLogLevelFlag(f *pflag.FlagSet, level *string) {
	f.StringVar(level, "injector-log-level", inject.DefaultInjectorLogLevel, "log level osm-edge's injector runs with (chart value osm.controllerLogLevel): injected pods' osm-healthcheck container gets it as --verbosity; one of "+strings.Join(inject.InjectorLogLevels, ", "))
}

// checkInjectorLogLevel refuses a level osm-healthcheck would exit on.
func checkInjectorLogLevel(level string) error {
	for _, l := range inject.InjectorLogLevels {
		if level == l {
			return nil
		}
	}
	return usageErr("--injector-log-level %q is not a level osm-healthcheck takes: use one of %s (Pipy's critical and warning are not among them)", level, strings.Join(inject.InjectorLogLevels, ", "))
}

// restConfig finds the API server: --kubeconfig, else controller-runtime's
// search ($KUBECONFIG, in-cluster, ~/.kube/config).
func restConfig(kubeconfig string) (*rest.Config, error) {
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		if _, statErr := os.Stat(kubeconfig); statErr != nil {
			return nil, fmt.Errorf("--kubeconfig: %w", statErr)
		}
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		cfg, err = ctrl.GetConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("find the API server: %w", err)
	}
	cfg.UserAgent = "meshguard/" + version
	return cfg, nil
}
