package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/inject"
	"github.com/meshguard/meshguard/policies"
)

// MutatePath is where the injecting webhook is served.
const MutatePath = "/mutate-pod"

// certValidity is how long a sidecar's bootstrap certificate is valid; the
// sidecar gets its service certificates from osm-controller afterwards.
const certValidity = 24 * time.Hour

// SecretStore reads and creates the Secrets injection needs (the mesh CA and
// the sidecars' bootstrap Secrets), and reads osm-controller's Service.
type SecretStore interface {
	Get(ctx context.Context, namespace, name string) (*corev1.Secret, error)
	Create(ctx context.Context, s *corev1.Secret) error
	GetService(ctx context.Context, namespace, name string) (*corev1.Service, error)
}

// Injector is the mutating admission handler: osm-edge's sidecar injection,
// after the pod rules.
type Injector struct {
	Engine  *policies.Engine
	View    PodSource
	Secrets SecretStore
	// MeshName and Namespace identify the mesh (osm, osm-system),
	// MeshConfigName its MeshConfig (osm-mesh-config).
	MeshName, Namespace, MeshConfigName string
	Metrics                             *Metrics
	// InjectorLogLevel is osm-healthcheck's --verbosity (inject.Config).
	InjectorLogLevel string

	mu     sync.Mutex
	ca     *inject.CA
	caRead time.Time
}

// caTTL is how long a read of the mesh CA Secret is reused.
const caTTL = 10 * time.Second

var _ admission.Handler = (*Injector)(nil)

// Handle injects one pod.
func (in *Injector) Handle(ctx context.Context, req admission.Request) admission.Response {
	start := time.Now()
	findings, resp := in.handle(ctx, req)
	in.Metrics.observe("Pod", req, findings, resp, time.Since(start))
	logNoVerdict(ctx, req, resp)
	return resp
}

func (in *Injector) handle(ctx context.Context, req admission.Request) ([]policies.Finding, admission.Response) {
	// The rules judge the same input the validating handler builds.
	input, err := Input(req.AdmissionRequest)
	if err != nil {
		return nil, admission.Errored(http.StatusBadRequest, err)
	}
	if input.Object == nil {
		return nil, admission.Errored(http.StatusBadRequest, errors.New("the request has no pod"))
	}
	pod := &corev1.Pod{}
	if err := json.Unmarshal(req.Object.Raw, pod); err != nil {
		return nil, admission.Errored(http.StatusBadRequest, fmt.Errorf("request.object is not a Pod: %w", err))
	}
	if pod.Namespace == "" {
		pod.Namespace = req.Namespace
	}
	view, err := in.View.PodView(ctx)
	if err != nil {
		return nil, admission.Errored(http.StatusServiceUnavailable, err)
	}
	ns := view.Namespaces[pod.Namespace]
	if ns == nil {
		// The cache is behind the namespace's creation: no verdict, so the
		// API server applies the failure policy (and kubectl retries).
		return nil, admission.Errored(http.StatusServiceUnavailable, fmt.Errorf("namespace %s is not in meshguard's view of the cluster yet", pod.Namespace))
	}
	if inject.Injected(pod) {
		again, err := in.reinvoked(ctx, pod, req.DryRun != nil && *req.DryRun)
		if err != nil {
			return nil, admission.Errored(http.StatusServiceUnavailable, err)
		}
		if again {
			// A reinvocation (reinvocationPolicy: IfNeeded): nothing to do, and
			// the pod rules would only see the sidecar's own ports and user.
			return nil, admission.Allowed(string(inject.ReasonAlreadyInjected))
		}
		// A copy of an injected pod's manifest: like a kubectl debug copy,
		// it gets an id and a copy of the Secret of its own (Inject).
		pod = pod.DeepCopy()
		delete(pod.Labels, inject.LabelProxyUUID)
	}
	// osm-edge's selection, then the pod rules, which speak only of what
	// injection does to the pods it injects (input.facts.injection): their
	// deny findings carry rule codes. A kubectl debug copy carries the
	// original's sidecar, which they would flag.
	decision, decideErr := inject.Decide(pod, ns, in.MeshName, in.Namespace)
	if meta, ok := input.Object["metadata"].(map[string]any); ok && meta["namespace"] == nil {
		meta["namespace"] = pod.Namespace
	}
	input.Inventory = *view.Inventory
	input.Injection = injectionFacts(pod, ns, decision, decideErr, in.MeshName, in.Namespace)
	input.Admission = true
	dry := input.DryRun
	var findings []policies.Finding
	if !inject.DebugCopy(pod) {
		findings, err = in.Engine.Evaluate(ctx, input)
		if err != nil {
			return nil, admission.Errored(http.StatusInternalServerError, fmt.Errorf("evaluate the rules: %w", err))
		}
	}
	verdict := Verdict(findings)
	if !verdict.Allowed {
		return findings, verdict
	}
	warnings := verdict.Warnings
	if decideErr != nil {
		return findings, admission.Denied(decideErr.Error()).WithWarnings(warnings...)
	}
	if decision.Reason == inject.ReasonUnmonitored {
		// The API server's selector sent the pod, so the namespace is
		// monitored now: meshguard's view is behind (osm namespace add just
		// ran). No verdict: the failure policy (Fail) makes the creator retry,
		// rather than a pod started outside the mesh.
		return findings, admission.Errored(http.StatusServiceUnavailable, fmt.Errorf("namespace %s is monitored by the mesh, but meshguard's view of it is not up to date yet", pod.Namespace))
	}
	if !decision.Inject {
		log.FromContext(ctx).V(1).Info("not injected", "namespace", pod.Namespace, "pod", podName(pod), "reason", decision.Reason)
		return findings, admission.Allowed(string(decision.Reason)).WithWarnings(warnings...)
	}
	if view.MeshConfig == nil {
		return findings, admission.Denied(fmt.Sprintf("meshguard cannot inject the sidecar: the MeshConfig %s/%s cannot be read (%v); fix it, or label the namespace openservicemesh.io/ignore=true to create pods without the mesh", in.Namespace, in.meshConfigName(), view.MeshConfigErr)).WithWarnings(warnings...)
	}
	cfg := inject.Config{MeshConfig: view.MeshConfig, MeshName: in.MeshName, Namespace: in.Namespace, MeshConfigName: in.MeshConfigName, InjectorLogLevel: in.InjectorLogLevel}
	if view.MeshConfig.Spec.Sidecar.LocalDNSProxy.Enable {
		ip, err := in.controllerIP(ctx)
		var missing *serviceError
		if errors.As(err, &missing) {
			// A state to fix, not a passing failure: the reason reaches
			// kubectl.
			return findings, admission.Denied(err.Error()).WithWarnings(warnings...)
		}
		if err != nil {
			return findings, admission.Errored(http.StatusServiceUnavailable, err)
		}
		cfg.ControllerIP = ip
	}
	res, err := inject.Inject(pod, ns, cfg, uuid.New().String())
	if err != nil {
		return findings, admission.Denied("meshguard cannot inject the sidecar: " + err.Error()).WithWarnings(warnings...)
	}
	ca, err := in.meshCA(ctx)
	var missing *caError
	if errors.As(err, &missing) {
		return findings, admission.Denied(err.Error()).WithWarnings(warnings...)
	}
	if err != nil {
		return findings, admission.Errored(http.StatusServiceUnavailable, err)
	}
	var secret *corev1.Secret
	if res.CopyFrom != "" {
		original, gerr := in.Secrets.Get(ctx, pod.Namespace, res.CopyFrom)
		if apierrors.IsNotFound(gerr) {
			return findings, admission.Denied(fmt.Sprintf("meshguard cannot inject this copy of an injected pod: the bootstrap Secret %s/%s of the original does not exist", pod.Namespace, res.CopyFrom)).WithWarnings(warnings...)
		}
		if gerr != nil {
			return findings, admission.Errored(http.StatusServiceUnavailable, fmt.Errorf("read the bootstrap Secret %s/%s of the original pod: %w", pod.Namespace, res.CopyFrom, gerr))
		}
		secret, err = inject.CopyBootstrap(res, cfg, ca, original, certValidity)
	} else {
		secret, err = inject.BootstrapSecret(res, cfg, ca, certValidity)
	}
	if err != nil {
		return findings, admission.Errored(http.StatusInternalServerError, err)
	}
	// sideEffects: NoneOnDryRun: a dry run gets the same patch and no Secret.
	if !dry {
		if err := in.Secrets.Create(ctx, secret); err != nil && !apierrors.IsAlreadyExists(err) {
			return findings, admission.Errored(http.StatusInternalServerError, fmt.Errorf("create the bootstrap Secret %s/%s: %w", secret.Namespace, secret.Name, err))
		}
	}
	mutated, err := json.Marshal(res.Pod)
	if err != nil {
		return findings, admission.Errored(http.StatusInternalServerError, err)
	}
	resp := admission.PatchResponseFromRaw(req.Object.Raw, mutated)
	return findings, resp.WithWarnings(warnings...)
}

func (in *Injector) meshConfigName() string {
	if in.MeshConfigName != "" {
		return in.MeshConfigName
	}
	return "osm-mesh-config"
}

// reinvoked reports whether a pod that carries its own bootstrap volume is
// the pod this webhook injected, sent again in the same request: its
// Secret was made for a pod of this name (inject.SamePod). In a dry run no
// Secret was made, so a missing one is the same pod; otherwise a missing
// one is a copy whose original Secret is gone (which the copy path denies).
func (in *Injector) reinvoked(ctx context.Context, pod *corev1.Pod, dry bool) (bool, error) {
	name := inject.BootstrapSecretName(pod.Labels[inject.LabelProxyUUID])
	s, err := in.Secrets.Get(ctx, pod.Namespace, name)
	switch {
	case apierrors.IsNotFound(err):
		return dry, nil
	case err != nil:
		return false, fmt.Errorf("read the bootstrap Secret %s/%s: %w", pod.Namespace, name, err)
	}
	return inject.SamePod(pod, s, time.Now()), nil
}

// injectionFacts tells the rules whether osm-edge injects the pod: a pod
// it rejects for its injection annotation is not injected either.
func injectionFacts(pod *corev1.Pod, ns *corev1.Namespace, d inject.Decision, err error, meshName, osmNamespace string) *policies.Injection {
	facts := &policies.Injection{Inject: err == nil && d.Inject, Reason: string(d.Reason)}
	if pod.Spec.HostNetwork {
		onPodNetwork := pod.DeepCopy()
		onPodNetwork.Spec.HostNetwork = false
		other, err := inject.Decide(onPodNetwork, ns, meshName, osmNamespace)
		facts.InjectedButForHostNetwork = err == nil && other.Inject
	}
	return facts
}

func podName(p *corev1.Pod) string {
	if p.Name != "" {
		return p.Name
	}
	return p.GenerateName + "*"
}

// caError is a mesh CA that is missing or unusable: a denial, with what to
// do. Any other failure to read it is no verdict (503).
type caError struct{ msg string }

func (e *caError) Error() string { return e.msg }

// meshCA reads osm-edge's CA Secret, at most once every caTTL. When a
// refresh fails for a passing reason, the CA read before is still used.
func (in *Injector) meshCA(ctx context.Context) (*inject.CA, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.ca != nil && time.Since(in.caRead) < caTTL {
		return in.ca, nil
	}
	s, err := in.Secrets.Get(ctx, in.Namespace, inject.CASecretName)
	switch {
	case apierrors.IsNotFound(err):
		return nil, &caError{fmt.Sprintf("meshguard cannot inject the sidecar: the mesh CA Secret %s/%s does not exist. osm-edge creates it at install; check that osm-edge is installed in %s", in.Namespace, inject.CASecretName, in.Namespace)}
	case apierrors.IsForbidden(err):
		return nil, &caError{fmt.Sprintf("meshguard cannot inject the sidecar: it may not read the mesh CA Secret %s/%s (%v); grant its ServiceAccount get on that Secret (manifests/deploy/meshguard.yaml)", in.Namespace, inject.CASecretName, err)}
	case err != nil && in.ca != nil:
		in.caRead = time.Now() // try again after caTTL
		return in.ca, nil
	case err != nil:
		return nil, fmt.Errorf("read the mesh CA Secret %s/%s: %w", in.Namespace, inject.CASecretName, err)
	}
	ca, err := inject.ParseCA(s.Data)
	if err != nil {
		return nil, &caError{fmt.Sprintf("meshguard cannot inject the sidecar: the mesh CA Secret %s/%s is unusable: %v", in.Namespace, inject.CASecretName, err)}
	}
	in.ca, in.caRead = ca, time.Now()
	return ca, nil
}

// controllerIP is osm-controller's Service ClusterIP, which the local DNS
// proxy's pods reach the Pipy repo by (spec §4.6).
func (in *Injector) controllerIP(ctx context.Context) (string, error) {
	svc, err := in.Secrets.GetService(ctx, in.Namespace, "osm-controller")
	if apierrors.IsNotFound(err) {
		return "", &serviceError{fmt.Sprintf("meshguard cannot inject the sidecar: the local DNS proxy is on (spec.sidecar.localDNSProxy.enable), and injected pods need osm-controller's address, but Service %s/osm-controller does not exist; check that osm-edge is installed in %s, or turn the DNS proxy off", in.Namespace, in.Namespace)}
	}
	if err != nil {
		return "", fmt.Errorf("the local DNS proxy is on, and injected pods need osm-controller's address, but Service %s/osm-controller cannot be read: %w", in.Namespace, err)
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return "", &serviceError{fmt.Sprintf("meshguard cannot inject the sidecar: the local DNS proxy is on (spec.sidecar.localDNSProxy.enable), and injected pods need osm-controller's address, but Service %s/osm-controller has no ClusterIP", in.Namespace)}
	}
	return svc.Spec.ClusterIP, nil
}

// serviceError is osm-controller's Service missing or without an address:
// a denial, with what to do. A failure to read it is no verdict (503).
type serviceError struct{ msg string }

func (e *serviceError) Error() string { return e.msg }

// ClientSecrets reads Secrets with live API reads (no Secret is cached: a
// cache would need to watch Secrets, and the CA is re-read at most every
// caTTL) and creates bootstrap Secrets.
type ClientSecrets struct {
	Reader client.Reader
	Writer client.Client
}

// Get implements SecretStore.
func (c ClientSecrets) Get(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	return s, c.Reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s)
}

// Create implements SecretStore.
func (c ClientSecrets) Create(ctx context.Context, s *corev1.Secret) error {
	return c.Writer.Create(ctx, s)
}

// GetService implements SecretStore.
func (c ClientSecrets) GetService(ctx context.Context, namespace, name string) (*corev1.Service, error) {
	s := &corev1.Service{}
	return s, c.Reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s)
}
