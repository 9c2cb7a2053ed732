package inject

import (
	"fmt"
	"io"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Explain writes, for people, why a pod is or is not injected and, when it
// is, what will be intercepted and with which privileges, each setting with
// the MeshConfig field or annotation it came from.
func Explain(w io.Writer, what string, d Decision, r *Result, err error) {
	verdict := "not injected"
	switch {
	case err != nil:
		verdict = "rejected by osm-edge's injector"
	case d.Inject:
		verdict = "injected"
	}
	fmt.Fprintf(w, "%s: %s\n", what, verdict)
	if err != nil {
		fmt.Fprintf(w, "  why: %v\n", err)
		return
	}
	fmt.Fprintf(w, "  why: %s\n", d.Detail)
	if r == nil {
		return
	}
	src := func(k string) string {
		if s, ok := r.Sources[k]; ok {
			return " (" + s + ")"
		}
		return ""
	}
	p := r.Pod
	if r.CopyFrom != "" {
		fmt.Fprintf(w, "  a kubectl debug copy: it gets a copy of Secret %s as %s, and nothing else\n", r.CopyFrom, r.SecretName)
		return
	}
	for _, c := range p.Spec.Containers {
		if c.Name == SidecarContainer {
			fmt.Fprintf(w, "  sidecar: %s%s, runs as UID %d\n", c.Image, src("sidecar image"), SidecarUID)
			if res := describeResources(c.Resources); res != "" {
				fmt.Fprintf(w, "    resources: %s\n", res)
				keys := make([]string, 0)
				for k := range r.Sources {
					if strings.HasPrefix(k, "sidecar limits") || strings.HasPrefix(k, "sidecar requests") {
						keys = append(keys, k)
					}
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(w, "      %s from the %s\n", strings.TrimPrefix(k, "sidecar "), r.Sources[k])
				}
			}
		}
	}
	initC := findContainer(p.Spec.InitContainers, InitContainer)
	if initC == nil {
		fmt.Fprintf(w, "  osm-init: %s\n", strings.TrimPrefix(src("osm-init"), " "))
		fmt.Fprintf(w, "  intercepted: nothing by iptables; traffic reaches the sidecar only if another interceptor sends it\n")
		return
	}
	priv := initC.SecurityContext != nil && initC.SecurityContext.Privileged != nil && *initC.SecurityContext.Privileged
	fmt.Fprintf(w, "  osm-init: %s%s, runs as root (UID 0) with NET_ADMIN, privileged %v%s\n", initC.Image, src("osm-init image"), priv, src("osm-init privileged"))
	if p.Spec.SecurityContext != nil && p.Spec.SecurityContext.RunAsNonRoot != nil && *p.Spec.SecurityContext.RunAsNonRoot {
		fmt.Fprintf(w, "    note: the pod sets runAsNonRoot, which osm-init (root) overrides in its own securityContext\n")
	}
	in := r.Interception
	fmt.Fprintf(w, "  outbound TCP: redirected to the sidecar (port %d), except\n", OutboundPort)
	fmt.Fprintf(w, "    - the sidecar's own traffic (UID %d) and 127.0.0.1\n", SidecarUID)
	list(w, "to", in.OutboundIPRangeExclusions)
	listPorts(w, in.OutboundPortExclusions)
	list(w, "through interface", in.InterfaceExclusions)
	if len(in.OutboundIPRangeInclusions) > 0 {
		fmt.Fprintf(w, "    and only to these ranges (everything else bypasses the sidecar):\n")
		for _, i := range in.OutboundIPRangeInclusions {
			fmt.Fprintf(w, "      %s (%s)\n", i.Value, i.From)
		}
	}
	fmt.Fprintf(w, "  inbound TCP: redirected to the sidecar (port %d), except ports %d, %d-%d (the sidecar's own)\n", InboundPort, PrometheusPort, LivenessProbePort, HealthcheckPort)
	listPorts(w, in.InboundPortExclusions)
	list(w, "through interface", in.InterfaceExclusions)
	if in.DNSProxy {
		fmt.Fprintf(w, "  DNS: sent to the sidecar's DNS proxy at %s (MeshConfig spec.sidecar.localDNSProxy.enable)\n", dnsProxyAddress)
	}
	for _, k := range []struct {
		name string
		p    *corev1.Probe
		port int
	}{{"liveness", r.Probes.Liveness, LivenessProbePort}, {"readiness", r.Probes.Readiness, ReadinessProbePort}, {"startup", r.Probes.Startup, StartupProbePort}} {
		if k.p == nil {
			continue
		}
		switch {
		case k.p.TCPSocket != nil:
			fmt.Fprintf(w, "  %s probe: tcpSocket %s, now answered by osm-healthcheck on %d\n", k.name, k.p.TCPSocket.Port.String(), HealthcheckPort)
		case k.p.HTTPGet != nil:
			fmt.Fprintf(w, "  %s probe: httpGet %s %s, now through the sidecar on %d\n", k.name, k.p.HTTPGet.Port.String(), k.p.HTTPGet.Path, k.port)
		default:
			fmt.Fprintf(w, "  %s probe: unchanged (exec or grpc)\n", k.name)
		}
	}
	fmt.Fprintf(w, "  bootstrap: Secret %s, mounted at %s\n", r.SecretName, bootstrapMountPath)
}

func findContainer(cs []corev1.Container, name string) *corev1.Container {
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i]
		}
	}
	return nil
}

func list(w io.Writer, prep string, items []Item) {
	for _, i := range items {
		fmt.Fprintf(w, "    - %s %s (%s)\n", prep, i.Value, i.From)
	}
}

func listPorts(w io.Writer, items []Item) {
	for _, i := range items {
		fmt.Fprintf(w, "    - port %s (%s)\n", i.Value, i.From)
	}
}

func describeResources(r corev1.ResourceRequirements) string {
	var parts []string
	for _, kind := range []struct {
		name string
		list corev1.ResourceList
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		names := make([]string, 0, len(kind.list))
		for n := range kind.list {
			names = append(names, string(n))
		}
		sort.Strings(names)
		for _, n := range names {
			q := kind.list[corev1.ResourceName(n)]
			parts = append(parts, fmt.Sprintf("%s %s=%s", kind.name, n, q.String()))
		}
	}
	return strings.Join(parts, ", ")
}
