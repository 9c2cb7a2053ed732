package inject

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Probe paths and headers of osm-edge's probe rewriting (spec §4.7).
const (
	healthcheckPath        = "/osm-healthcheck"
	headerOriginalHTTPPort = "Original-Http-Port"
	headerOriginalHTTPPath = "Original-Http-Path"
	headerOriginalTCPPort  = "Original-Tcp-Port"
)

// Probes are the original probes osm-edge records, one per kind (the last
// container with one wins), and whether any needs osm-healthcheck.
type Probes struct {
	Liveness, Readiness, Startup *corev1.Probe
	// TCP is true when a probe was a tcpSocket or an HTTPS httpGet: the
	// osm-healthcheck container answers those.
	TCP bool
}

// rewriteProbes points every app container's HTTP and TCP probes at the
// sidecar's probe listeners and returns the originals.
func rewriteProbes(pod *corev1.Pod) Probes {
	var p Probes
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		for _, k := range []struct {
			probe **corev1.Probe
			orig  **corev1.Probe
			port  int32
		}{
			{&c.LivenessProbe, &p.Liveness, LivenessProbePort},
			{&c.ReadinessProbe, &p.Readiness, ReadinessProbePort},
			{&c.StartupProbe, &p.Startup, StartupProbePort},
		} {
			if *k.probe == nil {
				continue
			}
			orig := (*k.probe).DeepCopy()
			handled, tcp := rewriteProbe(*k.probe, c, k.port)
			if !handled {
				continue // exec and grpc probes are neither changed nor recorded
			}
			p.TCP = p.TCP || tcp
			*k.orig = resolved(orig, c)
		}
	}
	return p
}

// resolved is a recorded original probe with a named port replaced by its
// number, as the bootstrap config records it.
func resolved(pr *corev1.Probe, c *corev1.Container) *corev1.Probe {
	switch {
	case pr.HTTPGet != nil:
		def := int32(80)
		if pr.HTTPGet.Scheme == corev1.URISchemeHTTPS {
			def = 443
		}
		pr.HTTPGet.Port = intstr.FromInt32(resolvePort(pr.HTTPGet.Port, c, def))
	case pr.TCPSocket != nil:
		pr.TCPSocket.Port = intstr.FromInt32(resolvePort(pr.TCPSocket.Port, c, 0))
	}
	return pr
}

// rewriteProbe changes one probe in place. handled is false for the probes
// osm-edge leaves alone (exec, grpc); tcp is true when the probe is now
// answered by osm-healthcheck (it was TCP or HTTPS).
func rewriteProbe(pr *corev1.Probe, c *corev1.Container, sidecarPort int32) (handled, tcp bool) {
	switch {
	case pr.HTTPGet != nil && pr.HTTPGet.Scheme == corev1.URISchemeHTTPS:
		port := resolvePort(pr.HTTPGet.Port, c, 443)
		pr.HTTPGet.Scheme = corev1.URISchemeHTTP
		pr.HTTPGet.Path = healthcheckPath
		pr.HTTPGet.Port = intstr.FromInt32(sidecarPort)
		pr.HTTPGet.HTTPHeaders = append(pr.HTTPGet.HTTPHeaders, corev1.HTTPHeader{Name: headerOriginalTCPPort, Value: strconv.Itoa(int(port))})
		return true, true
	case pr.HTTPGet != nil:
		port := resolvePort(pr.HTTPGet.Port, c, 80)
		path := pr.HTTPGet.Path
		pr.HTTPGet.Path = healthcheckPath
		pr.HTTPGet.Port = intstr.FromInt32(sidecarPort)
		pr.HTTPGet.HTTPHeaders = append(pr.HTTPGet.HTTPHeaders,
			corev1.HTTPHeader{Name: headerOriginalHTTPPort, Value: strconv.Itoa(int(port))},
			corev1.HTTPHeader{Name: headerOriginalHTTPPath, Value: path})
		return true, false
	case pr.TCPSocket != nil:
		port := resolvePort(pr.TCPSocket.Port, c, 0)
		pr.TCPSocket = nil
		pr.HTTPGet = &corev1.HTTPGetAction{
			Path:        healthcheckPath,
			Port:        intstr.FromInt32(HealthcheckPort),
			HTTPHeaders: []corev1.HTTPHeader{{Name: headerOriginalTCPPort, Value: strconv.Itoa(int(port))}},
		}
		return true, true
	}
	return false, false // exec and grpc probes are left alone
}

// resolvePort turns a probe port into a number: a named port is looked up in
// the container's ports; an unresolvable one becomes def.
func resolvePort(p intstr.IntOrString, c *corev1.Container, def int32) int32 {
	if p.Type == intstr.Int {
		return p.IntVal
	}
	if n, err := strconv.Atoi(p.StrVal); err == nil {
		return int32(n)
	}
	for _, cp := range c.Ports {
		if strings.EqualFold(cp.Name, p.StrVal) {
			return cp.ContainerPort
		}
	}
	return def
}
