package inject

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/manifests"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// installDefaults is osm-edge's install-default MeshConfig.
func installDefaults(t *testing.T) *MeshConfig {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal(manifests.DefaultMeshConfig, &obj); err != nil {
		t.Fatal(err)
	}
	mc, err := ParseMeshConfig(obj)
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

func appPod() *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "bookstore-5d8f-x2x", Namespace: "bookstore", Labels: map[string]string{"app": "bookstore"}},
		Spec: corev1.PodSpec{
			ServiceAccountName: "bookstore",
			InitContainers:     []corev1.Container{{Name: "migrate", Image: "flomesh/bookstore-migrate:1"}},
			Containers: []corev1.Container{{
				Name: "bookstore", Image: "flomesh/bookstore:1",
				Ports: []corev1.ContainerPort{{Name: "web", ContainerPort: 14001}},
			}},
		},
	}
}

// TestGolden injects one pod under each MeshConfig and annotation variant
// osm-edge distinguishes (spec §4.3-§4.7) and compares the pod with
// testdata/golden/<variant>.yaml (go test ./inject -run TestGolden -update).
func TestGolden(t *testing.T) {
	ns := namespace("bookstore", monitored, map[string]string{AnnotationInjection: "enabled"})
	variants := []struct {
		name   string
		mutate func(p *corev1.Pod, mc *MeshConfig, ns *corev1.Namespace)
	}{
		{"install-defaults", func(*corev1.Pod, *MeshConfig, *corev1.Namespace) {}},
		{"probes", func(p *corev1.Pod, mc *MeshConfig, _ *corev1.Namespace) {
			// osm-healthcheck takes the injector's log level (info), not
			// the sidecar's: critical is no level it knows.
			mc.Spec.Sidecar.LogLevel = "critical"
			c := &p.Spec.Containers[0]
			c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/liveness", Port: intstr.FromString("web")}}}
			c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(14001)}}}
			c.StartupProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/startup", Port: intstr.FromString("tls"), Scheme: corev1.URISchemeHTTPS}}}
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "worker", Image: "w:1",
				LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}})
		}},
		{"exclusions-and-inclusions", func(p *corev1.Pod, mc *MeshConfig, _ *corev1.Namespace) {
			mc.Spec.Traffic.OutboundIPRangeExclusionList = []string{"10.0.0.0/8"}
			mc.Spec.Traffic.OutboundPortExclusionList = []int{6379}
			mc.Spec.Traffic.InboundPortExclusionList = []int{8443}
			mc.Spec.Traffic.NetworkInterfaceExclusionList = []string{"eth1"}
			p.Annotations = map[string]string{AnnotationOutIPs: "192.168.0.0/16", AnnotationOutInclIPs: "172.16.0.0/12", AnnotationOutPorts: "5432", AnnotationInPorts: "9000"}
		}},
		{"dns-proxy-podip", func(_ *corev1.Pod, mc *MeshConfig, _ *corev1.Namespace) {
			mc.Spec.Sidecar.LocalProxyMode = "PodIP"
			mc.Spec.Sidecar.LocalDNSProxy.Enable = true
			mc.Spec.Sidecar.LocalDNSProxy.Primary = "10.96.0.10"
		}},
		{"tracing-and-remote-logging", func(_ *corev1.Pod, mc *MeshConfig, _ *corev1.Namespace) {
			mc.Spec.Observability.Tracing.Enable = true
			mc.Spec.Observability.RemoteLogging.Enable = true
			mc.Spec.Observability.RemoteLogging.Level = 2
			mc.Spec.Observability.RemoteLogging.Address = "logs.example.com"
			mc.Spec.Observability.RemoteLogging.Port = 30514
			mc.Spec.Observability.RemoteLogging.Authorization = "Basic abc"
		}},
		{"resources", func(p *corev1.Pod, mc *MeshConfig, ns *corev1.Namespace) {
			mc.Spec.Sidecar.Resources = corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("512Mi")}}
			p.Annotations = map[string]string{"openservicemesh.io/sidecar-resource-limits-cpu": "500m", "openservicemesh.io/sidecar-resource-requests-memory": "not-a-quantity"}
			ns.Annotations["openservicemesh.io/sidecar-resource-requests-memory"] = "64Mi"
		}},
		{"ebpf-no-init", func(_ *corev1.Pod, mc *MeshConfig, _ *corev1.Namespace) {
			mc.Spec.Traffic.InterceptionMode = "ebpf"
		}},
		{"privileged-init-and-images", func(_ *corev1.Pod, mc *MeshConfig, _ *corev1.Namespace) {
			mc.Spec.Sidecar.EnablePrivilegedInitContainer = true
			mc.Spec.Sidecar.SidecarImage = "registry.local/pipy:1.0"
			mc.Spec.Sidecar.InitContainerImage = "registry.local/init:1.0"
			mc.Spec.Sidecar.LogLevel = "debug"
			mc.Spec.RepoServer.IPAddr = "10.1.2.3"
			mc.Spec.RepoServer.Codebase = "/team-a/"
		}},
		{"metrics-namespace-and-controller", func(p *corev1.Pod, _ *MeshConfig, ns *corev1.Namespace) {
			ns.Annotations[AnnotationMetrics] = "enabled"
			p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "bookstore-5d8f", UID: "rs", Controller: ptr(true)}}
		}},
		{"debug-copy", func(p *corev1.Pod, _ *MeshConfig, _ *corev1.Namespace) {
			p.Spec.Volumes = []corev1.Volume{{Name: BootstrapVolume, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "sidecar-bootstrap-config-original"}}}}
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: SidecarContainer, Image: "flomesh/pipy:0.90.3-38"})
		}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			p, mc, n := appPod(), installDefaults(t), ns.DeepCopy()
			v.mutate(p, mc, n)
			cfg := Config{MeshConfig: mc, MeshName: "osm", Namespace: "osm-system", ControllerIP: "10.96.0.20"}
			d, err := Decide(p, n, "osm", "osm-system")
			if err != nil || !d.Inject {
				t.Fatalf("decision %+v, %v", d, err)
			}
			r, err := Inject(p, n, cfg, "0b1c6a4e-1f4c-4f3e-9a57-3c1d2e4f5a6b")
			if err != nil {
				t.Fatal(err)
			}
			got, err := yaml.Marshal(r.Pod)
			if err != nil {
				t.Fatal(err)
			}
			var explain bytes.Buffer
			Explain(&explain, "Pod bookstore/bookstore-5d8f-x2x", d, r, nil)
			got = append(got, []byte("# --explain:\n# "+strings.ReplaceAll(strings.TrimSpace(explain.String()), "\n", "\n# ")+"\n")...)
			path := filepath.Join("testdata", "golden", v.name+".yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./inject -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (review, then -update):\n%s", path, got)
			}
			if d := p.Spec.Containers; len(d) > 0 && Injected(p) {
				t.Error("the input pod was changed")
			}
		})
	}
}

// Injecting an injected pod changes nothing: the webhook is reinvoked on it.
func TestReinjectionIsANoOp(t *testing.T) {
	ns := namespace("bookstore", monitored, map[string]string{AnnotationInjection: "enabled"})
	cfg := Config{MeshConfig: installDefaults(t), MeshName: "osm", Namespace: "osm-system"}
	r, err := Inject(appPod(), ns, cfg, "u1")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decide(r.Pod, ns, "osm", "osm-system")
	if err != nil || d.Inject || d.Reason != ReasonAlreadyInjected {
		t.Fatalf("decision on an injected pod: %+v %v", d, err)
	}
	if DebugCopy(r.Pod) {
		t.Error("an injected pod taken for a debug copy")
	}
}
