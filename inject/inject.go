// Package inject adds osm-edge's Pipy sidecar and osm-init to a pod exactly
// as osm-edge 1.3.9's injector does (spec §4), and says why: which rule
// selected the pod, and where each interception setting came from. The
// webhook and `meshguard inject` call the same code.
package inject

import (
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Names osm-edge gives what it injects.
const (
	SidecarContainer     = "sidecar"
	InitContainer        = "osm-init"
	HealthcheckContainer = "osm-healthcheck"
	BootstrapVolume      = "sidecar-bootstrap-config-volume"
	bootstrapMountPath   = "/etc/pipy"
	bootstrapSecretStem  = "sidecar-bootstrap-config-"
)

// BootstrapSecretName is the Secret holding a sidecar's bootstrap config.
func BootstrapSecretName(id string) string { return bootstrapSecretStem + id }

// Config is what injection needs besides the pod: the mesh and its MeshConfig.
type Config struct {
	MeshConfig *MeshConfig
	// MeshName and Namespace identify the mesh (osm, osm-system);
	// MeshConfigName names its MeshConfig in messages (empty:
	// osm-mesh-config).
	MeshName       string
	Namespace      string
	MeshConfigName string
	// HealthcheckImage is osm-healthcheck's image; empty means the chart's.
	HealthcheckImage string
	// InjectorLogLevel is osm-healthcheck's --verbosity: osm-edge's injector
	// passes its own log level (the chart's osm.controllerLogLevel), not
	// the sidecar's. Empty means the chart's default, info.
	InjectorLogLevel string
	// InitPullPolicy is osm-init's imagePullPolicy; empty means IfNotPresent.
	InitPullPolicy corev1.PullPolicy
	// TrustDomain is the cluster's DNS domain (cluster.local).
	TrustDomain string
	// ControllerIP is osm-controller's Service ClusterIP, for the local DNS
	// proxy's hostAliases entry; empty leaves the entry out.
	ControllerIP string
}

// Result is an injected pod and what injection decided on the way.
type Result struct {
	Pod *corev1.Pod
	// ID is the pod's osm-proxy-uuid; SecretName its bootstrap Secret.
	ID, SecretName string
	// CNPrefix names the sidecar's certificate and its Pipy repo path.
	CNPrefix string
	// CopyFrom is set for a kubectl debug copy: the Secret to copy with a new
	// node id, instead of creating one (spec §4.4 step 6).
	CopyFrom     string
	Interception *Interception
	Probes       Probes
	// Sources says where images, privileges and resources came from.
	Sources map[string]string
}

// ErrWindows is returned for Windows pods: osm-edge never reads a Windows
// sidecar image from the MeshConfig (spec §1.3), so it cannot inject them.
var ErrWindows = errors.New("the pod runs on Windows (nodeSelector kubernetes.io/os: windows), and osm-edge 1.3.9 cannot resolve a Windows sidecar image: sidecarWindowsImage in the MeshConfig is never read")

// Inject mutates a copy of pod as osm-edge does for a pod selected by Decide;
// id is the new osm-proxy-uuid. ns is the pod's namespace (for its
// annotations).
func Inject(pod *corev1.Pod, ns *corev1.Namespace, cfg Config, id string) (*Result, error) {
	mc := cfg.MeshConfig
	if mc == nil {
		return nil, errors.New("no MeshConfig")
	}
	p := pod.DeepCopy()
	r := &Result{Pod: p, ID: id, SecretName: BootstrapSecretName(id), Sources: map[string]string{}}
	if strings.EqualFold(p.Spec.NodeSelector["kubernetes.io/os"], "windows") {
		return nil, ErrWindows
	}
	if c := mc.sidecarClass(); !strings.EqualFold(c, "pipy") {
		return nil, fmt.Errorf("MeshConfig spec.sidecar.sidecarClass is %q: meshguard injects osm-edge's Pipy sidecar only; set it to pipy, or keep osm-edge's own injector for %s", c, c)
	}
	image, from := mc.SidecarImage()
	if image == "" {
		return nil, fmt.Errorf("MeshConfig %s/%s sets no sidecar image: spec.sidecar.sidecarImage is empty and spec.sidecar.sidecarDrivers has no %q entry with one", cfg.Namespace, cfg.meshConfigName(), mc.sidecarClass())
	}
	r.Sources["sidecar image"] = from
	var nsAnn map[string]string
	if ns != nil {
		nsAnn = ns.Annotations
	}
	metrics, _, err := boolAnnotation(nsAnn, AnnotationMetrics, "namespace "+p.Namespace)
	if err != nil {
		return nil, err
	}
	in, err := interception(mc, p.Annotations)
	if err != nil {
		return nil, err
	}
	r.Interception = in

	// 1. Metrics annotations.
	if metrics {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations["prometheus.io/scrape"] = "true"
		p.Annotations["prometheus.io/port"] = fmt.Sprint(PrometheusPort)
		p.Annotations["prometheus.io/path"] = "/stats/prometheus"
	}
	// 2. The proxy's id.
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[LabelProxyUUID] = id
	// 3. The certificate's name.
	sa := p.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	r.CNPrefix = fmt.Sprintf("%s.sidecar.%s.%s", id, sa, p.Namespace)
	// 6. A kubectl debug copy keeps its containers, probes included (they
	// were rewritten for the original); it gets its own copy of the Secret,
	// and nothing else.
	if v := bootstrapVolume(p); v != nil && v.Secret != nil {
		r.CopyFrom = v.Secret.SecretName
		v.Secret.SecretName = r.SecretName
		return r, nil
	}
	// 4. Probes.
	r.Probes = rewriteProbes(p)
	// 7. The bootstrap volume.
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{
		Name:         BootstrapVolume,
		VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: r.SecretName}},
	})
	// 8. osm-init, after the pod's own init containers.
	if mc.Spec.Traffic.InterceptionMode == "iptables" {
		initImage, from := mc.InitImage()
		r.Sources["osm-init image"] = from
		r.Sources["osm-init privileged"] = "MeshConfig spec.sidecar.enablePrivilegedInitContainer"
		p.Spec.InitContainers = append(p.Spec.InitContainers, initContainer(initImage, cfg.pullPolicy(), mc.Spec.Sidecar.EnablePrivilegedInitContainer, in))
	} else {
		r.Sources["osm-init"] = fmt.Sprintf("not added: MeshConfig spec.traffic.interceptionMode is %q, and only iptables uses osm-init", mc.Spec.Traffic.InterceptionMode)
	}
	// 9. osm-healthcheck answers probes that were TCP or HTTPS.
	if r.Probes.TCP {
		p.Spec.Containers = append(p.Spec.Containers, healthcheckContainer(cfg.healthcheckImage(), cfg.injectorLogLevel()))
	}
	// 10. The sidecar.
	res, srcs := resources(mc, p.Annotations, nsAnn)
	for k, v := range srcs {
		r.Sources["sidecar "+k] = v
	}
	p.Spec.Containers = append(p.Spec.Containers, sidecarContainer(p, cfg, image, r.CNPrefix, r.Probes, res))
	// The local DNS proxy (spec §4.6).
	if mc.Spec.Sidecar.LocalDNSProxy.Enable {
		if cfg.ControllerIP != "" {
			p.Spec.HostAliases = append(p.Spec.HostAliases, corev1.HostAlias{IP: cfg.ControllerIP, Hostnames: []string{"osm-controller." + cfg.Namespace}})
		}
		td := cfg.trustDomain()
		p.Spec.DNSPolicy = corev1.DNSNone
		p.Spec.DNSConfig = &corev1.PodDNSConfig{
			Nameservers: []string{dnsProxyAddress},
			Searches:    []string{"svc." + td, td},
			Options:     []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr("5")}},
		}
	}
	return r, nil
}

func (c Config) pullPolicy() corev1.PullPolicy {
	if c.InitPullPolicy != "" {
		return c.InitPullPolicy
	}
	return corev1.PullIfNotPresent
}

func (c Config) meshConfigName() string {
	if c.MeshConfigName != "" {
		return c.MeshConfigName
	}
	return "osm-mesh-config"
}

// DefaultInjectorLogLevel is the osm-edge chart's osm.controllerLogLevel.
const DefaultInjectorLogLevel = "info"

// InjectorLogLevels are the levels osm-healthcheck takes (zerolog's): a
// Pipy level such as critical or warning makes it exit.
var InjectorLogLevels = []string{"trace", "debug", "info", "warn", "error", "fatal", "panic", "disabled"}

func (c Config) injectorLogLevel() string {
	if c.InjectorLogLevel != "" {
		return c.InjectorLogLevel
	}
	return DefaultInjectorLogLevel
}

func (c Config) healthcheckImage() string {
	if c.HealthcheckImage != "" {
		return c.HealthcheckImage
	}
	return DefaultHealthcheckImage
}

func (c Config) trustDomain() string {
	if c.TrustDomain != "" {
		return c.TrustDomain
	}
	return "cluster.local"
}

func ptr[T any](v T) *T { return &v }

func initContainer(image string, pull corev1.PullPolicy, privileged bool, in *Interception) corev1.Container {
	return corev1.Container{
		Name:            InitContainer,
		Image:           image,
		ImagePullPolicy: pull,
		Command:         []string{"/bin/sh"},
		Args:            []string{"-c", in.Script()},
		SecurityContext: &corev1.SecurityContext{
			Privileged:   ptr(privileged),
			Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}},
			RunAsNonRoot: ptr(false),
			RunAsUser:    ptr(int64(0)),
		},
		Env: []corev1.EnvVar{{Name: "POD_IP", ValueFrom: fieldRef("status.podIP")}},
	}
}

func healthcheckContainer(image, level string) corev1.Container {
	return corev1.Container{
		Name:            HealthcheckContainer,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         []string{"/osm-healthcheck"},
		Args:            []string{"--verbosity", level},
		Ports:           []corev1.ContainerPort{{ContainerPort: HealthcheckPort}},
	}
}

func fieldRef(path string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}
}

func sidecarContainer(p *corev1.Pod, cfg Config, image, cnPrefix string, probes Probes, res corev1.ResourceRequirements) corev1.Container {
	mc := cfg.MeshConfig
	port := mc.ProxyServerPort()
	repo := "http://" + mc.RepoHost(cfg.Namespace) + fmt.Sprintf(":%d/repo/", port)
	if cb := mc.Codebase(); cb != "" {
		repo += cb + "/"
	}
	repo += "osm-edge-sidecar/" + cnPrefix + "/"
	kind, name := controller(p)
	env := []corev1.EnvVar{
		{Name: "MESH_NAME", Value: cfg.MeshName},
		{Name: "POD_UID", ValueFrom: fieldRef("metadata.uid")},
		{Name: "POD_NAME", ValueFrom: fieldRef("metadata.name")},
		{Name: "POD_NAMESPACE", ValueFrom: fieldRef("metadata.namespace")},
		{Name: "POD_IP", ValueFrom: fieldRef("status.podIP")},
		{Name: "SERVICE_ACCOUNT", ValueFrom: fieldRef("spec.serviceAccountName")},
		{Name: "POD_CONTROLLER_KIND", Value: kind},
		{Name: "POD_CONTROLLER_NAME", Value: name},
	}
	if t := mc.Spec.Observability.Tracing; t.Enable {
		addr, tport, ep, frac := t.Address, t.Port, t.Endpoint, t.SampledFraction
		if addr == "" {
			addr = "jaeger." + cfg.Namespace + ".svc.cluster.local"
		}
		if tport == 0 {
			tport = 9411
		}
		if ep == "" {
			ep = "/api/v2/spans"
		}
		if frac == "" {
			frac = "1.0"
		}
		env = append(env,
			corev1.EnvVar{Name: "TRACING_ADDRESS", Value: fmt.Sprintf("%s:%d", addr, tport)},
			corev1.EnvVar{Name: "TRACING_ENDPOINT", Value: ep},
			corev1.EnvVar{Name: "TRACING_SAMPLED_FRACTION", Value: frac})
	}
	if l := mc.Spec.Observability.RemoteLogging; l.Enable {
		env = append(env, corev1.EnvVar{Name: "REMOTE_LOGGING_LEVEL", Value: fmt.Sprint(l.Level)})
		if l.Address != "" && l.Port > 0 {
			env = append(env, corev1.EnvVar{Name: "REMOTE_LOGGING_ADDRESS", Value: fmt.Sprintf("%s:%d", l.Address, l.Port)})
		}
		for _, kv := range [][2]string{{"REMOTE_LOGGING_ENDPOINT", l.Endpoint}, {"REMOTE_LOGGING_AUTHORIZATION", l.Authorization}} {
			if kv[1] != "" {
				env = append(env, corev1.EnvVar{Name: kv[0], Value: kv[1]})
			}
		}
		frac := l.SampledFraction
		if frac == "" {
			frac = "1.0"
		}
		env = append(env, corev1.EnvVar{Name: "REMOTE_LOGGING_SAMPLED_FRACTION", Value: frac})
	}
	if d := mc.Spec.Sidecar.LocalDNSProxy; d.Enable {
		env = append(env, corev1.EnvVar{Name: "LOCAL_DNS_PROXY", Value: "true"})
		for _, kv := range [][2]string{{"LOCAL_DNS_PROXY_PRIMARY_UPSTREAM", d.Primary}, {"LOCAL_DNS_PROXY_SECONDARY_UPSTREAM", d.Secondary}} {
			if kv[1] != "" {
				env = append(env, corev1.EnvVar{Name: kv[0], Value: kv[1]})
			}
		}
	}
	ports := []corev1.ContainerPort{
		{Name: "proxy-admin", ContainerPort: AdminPort},
		{Name: "proxy-inbound", ContainerPort: InboundPort},
		{Name: "proxy-metrics", ContainerPort: PrometheusPort},
	}
	if probes.Liveness != nil {
		ports = append(ports, corev1.ContainerPort{Name: "liveness-port", ContainerPort: LivenessProbePort})
	}
	if probes.Readiness != nil {
		ports = append(ports, corev1.ContainerPort{Name: "readiness-port", ContainerPort: ReadinessProbePort})
	}
	if probes.Startup != nil {
		ports = append(ports, corev1.ContainerPort{Name: "startup-port", ContainerPort: StartupProbePort})
	}
	return corev1.Container{
		Name:            SidecarContainer,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Args:            []string{"pipy", "--log-level=" + mc.LogLevel(), fmt.Sprintf("--admin-port=%d", port), repo},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false), RunAsUser: ptr(int64(SidecarUID))},
		Ports:           ports,
		VolumeMounts:    []corev1.VolumeMount{{Name: BootstrapVolume, ReadOnly: true, MountPath: bootstrapMountPath}},
		Resources:       res,
		Env:             env,
	}
}

// controller is the pod's controller for POD_CONTROLLER_KIND/NAME; a
// ReplicaSet with a hyphen in its name is reported as its Deployment.
func controller(p *corev1.Pod) (kind, name string) {
	for _, o := range p.OwnerReferences {
		if o.Controller != nil && *o.Controller {
			kind, name = o.Kind, o.Name
			break
		}
	}
	if kind == "ReplicaSet" {
		if i := strings.LastIndex(name, "-"); i >= 0 {
			return "Deployment", name[:i]
		}
	}
	return kind, name
}

// resources are the sidecar's: the MeshConfig's, each overridden by the pod's
// annotation, else the namespace's (spec §4.3); unparsable values are ignored,
// as osm-edge ignores them.
func resources(mc *MeshConfig, podAnn, nsAnn map[string]string) (corev1.ResourceRequirements, map[string]string) {
	res := *mc.Spec.Sidecar.Resources.DeepCopy()
	from := map[string]string{}
	for _, kind := range []string{"limits", "requests"} {
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceStorage, corev1.ResourceEphemeralStorage} {
			key := fmt.Sprintf("openservicemesh.io/sidecar-resource-%s-%s", kind, name)
			v, on := podAnn[key], "pod annotation "+key
			if v == "" {
				v, on = nsAnn[key], "namespace annotation "+key
			}
			q, err := resource.ParseQuantity(v)
			if v == "" || err != nil {
				continue
			}
			list := &res.Limits
			if kind == "requests" {
				list = &res.Requests
			}
			if *list == nil {
				*list = corev1.ResourceList{}
			}
			(*list)[name] = q
			from[kind+" "+string(name)] = on
		}
	}
	return res, from
}
