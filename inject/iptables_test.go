package inject

import (
	"slices"
	"strings"
	"testing"
)

func defaults(t *testing.T) *MeshConfig {
	t.Helper()
	mc := &MeshConfig{}
	mc.Spec.Traffic.InterceptionMode = "iptables"
	return mc
}

func index(t *testing.T, rules []string, rule string) int {
	t.Helper()
	i := slices.Index(rules, rule)
	if i < 0 {
		t.Fatalf("rule %q missing from:\n%s", rule, strings.Join(rules, "\n"))
	}
	return i
}

// The static rules of spec §4.5, each present, in the order that matters.
func TestRulesStatic(t *testing.T) {
	in, err := interception(defaults(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := in.Rules()
	want := []string{
		"-A OSM_PROXY_IN_REDIRECT -p tcp -j REDIRECT --to-port 15003",
		"-A PREROUTING -p tcp -j OSM_PROXY_INBOUND",
		"-A OSM_PROXY_INBOUND -p tcp --dport 15010 -j RETURN",
		"-A OSM_PROXY_INBOUND -p tcp --dport 15901 -j RETURN",
		"-A OSM_PROXY_INBOUND -p tcp --dport 15902 -j RETURN",
		"-A OSM_PROXY_INBOUND -p tcp --dport 15903 -j RETURN",
		"-A OSM_PROXY_INBOUND -p tcp --dport 15904 -j RETURN",
		"-A OSM_PROXY_INBOUND -p tcp -j OSM_PROXY_IN_REDIRECT",
		"-A OSM_PROXY_OUT_REDIRECT -p tcp -j REDIRECT --to-port 15001",
		"-A OSM_PROXY_OUT_REDIRECT -p tcp --dport 15000 -j ACCEPT",
		"-A OUTPUT -p tcp -j OSM_PROXY_OUTBOUND",
		"-A OSM_PROXY_OUTBOUND -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 1500 -j OSM_PROXY_IN_REDIRECT",
		"-A OSM_PROXY_OUTBOUND -o lo -m owner ! --uid-owner 1500 -j RETURN",
		"-A OSM_PROXY_OUTBOUND -m owner --uid-owner 1500 -j RETURN",
		"-A OSM_PROXY_OUTBOUND -d 127.0.0.1/32 -j RETURN",
		"-A OSM_PROXY_OUTBOUND -j OSM_PROXY_OUT_REDIRECT",
	}
	if !slices.Equal(r, want) {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(r, "\n"), strings.Join(want, "\n"))
	}
	s := in.Script()
	for _, line := range []string{"iptables-restore --noflush <<EOF", "*nat", ":OSM_PROXY_INBOUND - [0:0]", ":OSM_PROXY_IN_REDIRECT - [0:0]", ":OSM_PROXY_OUTBOUND - [0:0]", ":OSM_PROXY_OUT_REDIRECT - [0:0]", "COMMIT", "EOF"} {
		if !strings.Contains(s, line+"\n") {
			t.Errorf("script lacks line %q", line)
		}
	}
}

// Exclusions come before the catch-all redirect; IP exclusions before port
// exclusions before inclusions; inclusions turn the catch-all into RETURN.
func TestRulesExclusionsAndInclusions(t *testing.T) {
	mc := defaults(t)
	mc.Spec.Traffic.OutboundIPRangeExclusionList = []string{"10.0.0.0/8"}
	mc.Spec.Traffic.OutboundPortExclusionList = []int{6379}
	mc.Spec.Traffic.InboundPortExclusionList = []int{8443}
	mc.Spec.Traffic.NetworkInterfaceExclusionList = []string{"eth1"}
	mc.Spec.Sidecar.LocalProxyMode = "PodIP"
	mc.Spec.Sidecar.LocalDNSProxy.Enable = true
	ann := map[string]string{
		AnnotationOutPorts:   "6379, 5432",
		AnnotationOutIPs:     "192.168.0.0/16,10.0.0.0/8",
		AnnotationOutInclIPs: "172.16.0.0/12",
		AnnotationInPorts:    "9000",
	}
	in, err := interception(mc, ann)
	if err != nil {
		t.Fatal(err)
	}
	r := in.Rules()
	inboundCatchAll := index(t, r, "-A OSM_PROXY_INBOUND -p tcp -j OSM_PROXY_IN_REDIRECT")
	// -I rules are inserted at the top of the chain, so their place in the
	// program only has to come after the chain's creation.
	index(t, r, "-I OSM_PROXY_INBOUND -i eth1 -j RETURN")
	if i := index(t, r, "-I OSM_PROXY_INBOUND -p tcp --match multiport --dports 8443,9000 -j RETURN"); i < inboundCatchAll {
		t.Error("inbound port exclusion inserted before the chain's rules exist")
	}
	index(t, r, "-A OUTPUT -p udp -d 127.0.0.153 --dport 53 -j DNAT --to-destination 127.0.0.153:5300")
	index(t, r, "-I OUTPUT -p tcp -o lo -d 127.0.0.1/32 -m owner --uid-owner 1500 -j DNAT --to-destination $POD_IP")
	iface := index(t, r, "-A OSM_PROXY_OUTBOUND -o eth1 -j RETURN")
	podIP := index(t, r, "-A OSM_PROXY_OUTBOUND -d 192.168.0.0/16 -j RETURN")
	globalIP := index(t, r, "-A OSM_PROXY_OUTBOUND -d 10.0.0.0/8 -j RETURN")
	ports := index(t, r, "-A OSM_PROXY_OUTBOUND -p tcp --match multiport --dports 6379,5432 -j RETURN")
	incl := index(t, r, "-A OSM_PROXY_OUTBOUND -d 172.16.0.0/12 -j OSM_PROXY_OUT_REDIRECT")
	last := index(t, r, "-A OSM_PROXY_OUTBOUND -j RETURN")
	if !(iface < podIP && podIP < globalIP && globalIP < ports && ports < incl && incl < last && last == len(r)-1) {
		t.Errorf("outbound order wrong:\n%s", strings.Join(r, "\n"))
	}
	if slices.Contains(r, "-A OSM_PROXY_OUTBOUND -j OSM_PROXY_OUT_REDIRECT") {
		t.Error("with inclusions, the rest must not be redirected")
	}
	if strings.Count(strings.Join(r, "\n"), "10.0.0.0/8") != 1 {
		t.Error("a range in both lists must appear once")
	}
	if in.OutboundIPRangeExclusions[0].From != "pod annotation "+AnnotationOutIPs || in.OutboundPortExclusions[0].From != "MeshConfig spec.traffic.outboundPortExclusionList" {
		t.Errorf("sources: %+v %+v", in.OutboundIPRangeExclusions, in.OutboundPortExclusions)
	}
}

func TestInterceptionRejectsWhatOSMEdgeRejects(t *testing.T) {
	for key, v := range map[string]string{
		AnnotationOutPorts:   "0",
		AnnotationInPorts:    "http",
		AnnotationOutIPs:     "10.0.0.0",
		AnnotationOutInclIPs: "junk",
	} {
		if _, err := interception(defaults(t), map[string]string{key: v}); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: err = %v", key, v, err)
		}
	}
	// osm-edge has no upper bound on ports: 70000 reaches iptables (rule MG4xxx warns).
	if _, err := interception(defaults(t), map[string]string{AnnotationOutPorts: "70000"}); err != nil {
		t.Errorf("70000: %v", err)
	}
}
