package inject

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Ports and the UID the sidecar owns (spec §4.4, §4.5); applications must not
// use them.
const (
	SidecarUID          = 1500
	AdminPort           = 15000
	OutboundPort        = 15001
	InboundPort         = 15003
	PrometheusPort      = 15010
	LivenessProbePort   = 15901
	ReadinessProbePort  = 15902
	StartupProbePort    = 15903
	HealthcheckPort     = 15904
	dnsProxyAddress     = "127.0.0.153"
	dnsProxyListenPort  = 5300
	localProxyModePodIP = "PodIP"
)

// ReservedPorts are the ports the sidecar listens on or exempts from interception.
var ReservedPorts = []int{AdminPort, OutboundPort, InboundPort, PrometheusPort, LivenessProbePort, ReadinessProbePort, StartupProbePort, HealthcheckPort}

// Item is one entry of an interception list with where it came from, for
// --explain: "MeshConfig spec.traffic.outboundPortExclusionList" or
// "pod annotation openservicemesh.io/outbound-port-exclusion-list".
type Item struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

// Interception is what osm-init's iptables program redirects and exempts.
type Interception struct {
	OutboundIPRangeExclusions []Item `json:"outboundIPRangeExclusions,omitempty"`
	OutboundIPRangeInclusions []Item `json:"outboundIPRangeInclusions,omitempty"`
	OutboundPortExclusions    []Item `json:"outboundPortExclusions,omitempty"`
	InboundPortExclusions     []Item `json:"inboundPortExclusions,omitempty"`
	InterfaceExclusions       []Item `json:"networkInterfaceExclusions,omitempty"`
	LocalProxyModePodIP       bool   `json:"localProxyModePodIP,omitempty"`
	DNSProxy                  bool   `json:"dnsProxy,omitempty"`
}

const (
	fromMeshConfig = "MeshConfig spec.traffic."
	fromAnnotation = "pod annotation "
)

// interception merges the MeshConfig's lists with the pod's annotations as
// osm-edge does (spec §4.3): port lists global first, IP ranges the pod's
// first, each de-duplicated. An annotation value osm-edge rejects is an error.
func interception(mc *MeshConfig, ann map[string]string) (*Interception, error) {
	in := &Interception{
		LocalProxyModePodIP: mc.Spec.Sidecar.LocalProxyMode == localProxyModePodIP,
		DNSProxy:            mc.Spec.Sidecar.LocalDNSProxy.Enable,
	}
	ports := func(global []int, field, key string) ([]Item, error) {
		var out []Item
		for _, p := range global {
			out = appendItem(out, strconv.Itoa(p), fromMeshConfig+field)
		}
		for _, v := range entries(ann, key) {
			p, err := strconv.Atoi(v)
			if err != nil || p <= 0 {
				return nil, fmt.Errorf("invalid port value %q in pod annotation %s: it must be a positive number", v, key)
			}
			out = appendItem(out, strconv.Itoa(p), fromAnnotation+key)
		}
		return out, nil
	}
	cidrs := func(global []string, field, key string) ([]Item, error) {
		var out []Item
		for _, v := range entries(ann, key) {
			if _, _, err := net.ParseCIDR(v); err != nil {
				return nil, fmt.Errorf("invalid IP range %q in pod annotation %s: it must be a CIDR such as 10.0.0.0/8", v, key)
			}
			out = appendItem(out, v, fromAnnotation+key)
		}
		for _, c := range global {
			// The values go into osm-init's shell script: nothing the CRD's
			// unanchored pattern lets through may reach it.
			if _, _, err := net.ParseCIDR(c); err != nil {
				return nil, fmt.Errorf("MeshConfig spec.traffic.%s holds %q, which is not a CIDR: fix the MeshConfig (meshguard validate reports it as MG1008)", field, c)
			}
			out = appendItem(out, c, fromMeshConfig+field)
		}
		return out, nil
	}
	var err error
	if in.OutboundPortExclusions, err = ports(mc.Spec.Traffic.OutboundPortExclusionList, "outboundPortExclusionList", AnnotationOutPorts); err != nil {
		return nil, err
	}
	if in.InboundPortExclusions, err = ports(mc.Spec.Traffic.InboundPortExclusionList, "inboundPortExclusionList", AnnotationInPorts); err != nil {
		return nil, err
	}
	if in.OutboundIPRangeExclusions, err = cidrs(mc.Spec.Traffic.OutboundIPRangeExclusionList, "outboundIPRangeExclusionList", AnnotationOutIPs); err != nil {
		return nil, err
	}
	if in.OutboundIPRangeInclusions, err = cidrs(mc.Spec.Traffic.OutboundIPRangeInclusionList, "outboundIPRangeInclusionList", AnnotationOutInclIPs); err != nil {
		return nil, err
	}
	for _, i := range mc.Spec.Traffic.NetworkInterfaceExclusionList {
		if !interfaceName.MatchString(i) {
			return nil, fmt.Errorf("MeshConfig spec.traffic.networkInterfaceExclusionList holds %q, which is not a network interface name", i)
		}
		in.InterfaceExclusions = appendItem(in.InterfaceExclusions, i, fromMeshConfig+"networkInterfaceExclusionList")
	}
	return in, nil
}

// interfaceName is what Linux accepts as an interface name (at most 15
// characters, no slash or space), and nothing a shell would interpret.
var interfaceName = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,15}$`)

// entries splits a comma-separated annotation as osm-edge does: when the
// annotation is present, every element counts, an empty one included (which
// osm-edge rejects, as it does "8080,").
func entries(ann map[string]string, key string) []string {
	v, ok := ann[key]
	if !ok {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func appendItem(items []Item, v, from string) []Item {
	if slices.ContainsFunc(items, func(i Item) bool { return i.Value == v }) {
		return items
	}
	return append(items, Item{Value: v, From: from})
}

func values(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Value
	}
	return out
}

// Rules returns the iptables-restore rules of osm-init, in order (spec §4.5).
func (in *Interception) Rules() []string {
	r := []string{
		// Inbound: everything TCP goes to the sidecar's inbound listener, but
		// metrics and the probe ports the sidecar serves itself.
		fmt.Sprintf("-A OSM_PROXY_IN_REDIRECT -p tcp -j REDIRECT --to-port %d", InboundPort),
		"-A PREROUTING -p tcp -j OSM_PROXY_INBOUND",
	}
	for _, p := range []int{PrometheusPort, LivenessProbePort, ReadinessProbePort, StartupProbePort, HealthcheckPort} {
		r = append(r, fmt.Sprintf("-A OSM_PROXY_INBOUND -p tcp --dport %d -j RETURN", p))
	}
	r = append(r, "-A OSM_PROXY_INBOUND -p tcp -j OSM_PROXY_IN_REDIRECT")
	for _, i := range in.InterfaceExclusions {
		r = append(r, fmt.Sprintf("-I OSM_PROXY_INBOUND -i %s -j RETURN", i.Value))
	}
	if len(in.InboundPortExclusions) > 0 {
		r = append(r, fmt.Sprintf("-I OSM_PROXY_INBOUND -p tcp --match multiport --dports %s -j RETURN", strings.Join(values(in.InboundPortExclusions), ",")))
	}
	// Outbound.
	r = append(r,
		fmt.Sprintf("-A OSM_PROXY_OUT_REDIRECT -p tcp -j REDIRECT --to-port %d", OutboundPort),
		fmt.Sprintf("-A OSM_PROXY_OUT_REDIRECT -p tcp --dport %d -j ACCEPT", AdminPort),
		"-A OUTPUT -p tcp -j OSM_PROXY_OUTBOUND",
		fmt.Sprintf("-A OSM_PROXY_OUTBOUND -o lo ! -d 127.0.0.1/32 -m owner --uid-owner %d -j OSM_PROXY_IN_REDIRECT", SidecarUID),
		fmt.Sprintf("-A OSM_PROXY_OUTBOUND -o lo -m owner ! --uid-owner %d -j RETURN", SidecarUID),
		fmt.Sprintf("-A OSM_PROXY_OUTBOUND -m owner --uid-owner %d -j RETURN", SidecarUID),
		"-A OSM_PROXY_OUTBOUND -d 127.0.0.1/32 -j RETURN",
	)
	if in.DNSProxy {
		r = append(r, fmt.Sprintf("-A OUTPUT -p udp -d %s --dport 53 -j DNAT --to-destination %s:%d", dnsProxyAddress, dnsProxyAddress, dnsProxyListenPort))
	}
	if in.LocalProxyModePodIP {
		r = append(r, fmt.Sprintf("-I OUTPUT -p tcp -o lo -d 127.0.0.1/32 -m owner --uid-owner %d -j DNAT --to-destination $POD_IP", SidecarUID))
	}
	for _, i := range in.InterfaceExclusions {
		r = append(r, fmt.Sprintf("-A OSM_PROXY_OUTBOUND -o %s -j RETURN", i.Value))
	}
	for _, c := range in.OutboundIPRangeExclusions {
		r = append(r, fmt.Sprintf("-A OSM_PROXY_OUTBOUND -d %s -j RETURN", c.Value))
	}
	if len(in.OutboundPortExclusions) > 0 {
		r = append(r, fmt.Sprintf("-A OSM_PROXY_OUTBOUND -p tcp --match multiport --dports %s -j RETURN", strings.Join(values(in.OutboundPortExclusions), ",")))
	}
	if len(in.OutboundIPRangeInclusions) > 0 {
		for _, c := range in.OutboundIPRangeInclusions {
			r = append(r, fmt.Sprintf("-A OSM_PROXY_OUTBOUND -d %s -j OSM_PROXY_OUT_REDIRECT", c.Value))
		}
		r = append(r, "-A OSM_PROXY_OUTBOUND -j RETURN")
	} else {
		r = append(r, "-A OSM_PROXY_OUTBOUND -j OSM_PROXY_OUT_REDIRECT")
	}
	return r
}

// Script is osm-init's shell script: the rules fed to iptables-restore.
func (in *Interception) Script() string {
	var b strings.Builder
	b.WriteString("iptables-restore --noflush <<EOF\n# OSM sidecar interception rules\n*nat\n")
	for _, c := range []string{"OSM_PROXY_INBOUND", "OSM_PROXY_IN_REDIRECT", "OSM_PROXY_OUTBOUND", "OSM_PROXY_OUT_REDIRECT"} {
		b.WriteString(":" + c + " - [0:0]\n")
	}
	for _, r := range in.Rules() {
		b.WriteString(r + "\n")
	}
	b.WriteString("COMMIT\nEOF\n")
	return b.String()
}
