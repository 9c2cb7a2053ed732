// Command gen writes the documents `make bench` validates: N osm-edge
// manifests, one per file, a deterministic mix of what a platform repository
// holds. Most are Egress policies (http and https with hosts, tcp with and
// without ipAddresses, tcp-server-first, a few grpc ports osm-edge ignores),
// then UpstreamTrafficSettings, a few misspelled fields and one MeshConfig per
// mesh folder, so that meshguard's nearest-folder MeshConfig scoping is
// exercised. The same -n and -seed always give the same bytes.
//
//	go run ./test/bench/gen -n 10000 -out /tmp/docs
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// meshes is how many mesh folders hold a MeshConfig; the documents of one more
// folder, unscoped/, fall back to osm-edge's install defaults.
const meshes = 10

func main() {
	n := flag.Int("n", 10000, "number of documents (files) to write")
	out := flag.String("out", "", "directory to write into (created; must be empty or absent)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" || *n < meshes+1 {
		fmt.Fprintf(os.Stderr, "usage: gen -out DIR [-n N (> %d)] [-seed S]\n", meshes)
		os.Exit(2)
	}
	if err := generate(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(out string, n int, seed uint64) error {
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", out)
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x6d657368)), out: out, upstreams: map[string][]string{}}
	for m := 0; m < meshes; m++ {
		if err := g.write(filepath.Join(meshDir(m), "osm-mesh-config.yaml"), g.meshConfig(m)); err != nil {
			return err
		}
	}
	for i := meshes; i < n; i++ {
		// Every twentieth document lives outside the mesh folders.
		dir := "unscoped"
		m := -1
		if i%20 != 0 {
			m = i % meshes
			dir = meshDir(m)
		}
		ns := fmt.Sprintf("team-%02d", g.r.IntN(8))
		name, body := g.document(i, ns)
		if err := g.write(filepath.Join(dir, ns, fmt.Sprintf("%05d-%s.yaml", i, name)), body); err != nil {
			return err
		}
	}
	return nil
}

func meshDir(m int) string { return fmt.Sprintf("mesh-%02d", m) }

type gen struct {
	r   *rand.Rand
	out string
	// upstreams are the UpstreamTrafficSettings written so far, by namespace.
	upstreams map[string][]string
}

func (g *gen) write(rel, body string) error {
	p := filepath.Join(g.out, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(body), 0o644)
}

// meshConfig is osm-edge's install default with egress policies on, varied
// per mesh: two meshes turn passthrough on, one sets an invalid log level and
// one carries a misspelled field.
func (g *gen) meshConfig(m int) string {
	enableEgress := m == 3 || m == 7
	logLevel := "error"
	if m == 5 {
		logLevel = "off"
	}
	traffic := fmt.Sprintf("    interceptionMode: iptables\n    enableEgress: %t\n    enablePermissiveTrafficPolicyMode: true\n", enableEgress)
	if m == 8 {
		traffic += "    enableEngress: true\n"
	}
	return fmt.Sprintf(`# The mesh every document below mesh-%02d/ is judged against.
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata:
  name: osm-mesh-config
  namespace: osm-system
spec:
  sidecar:
    enablePrivilegedInitContainer: false
    logLevel: %s
    maxDataPlaneConnections: 0
    configResyncInterval: 90s
    sidecarTimeout: 60
    sidecarClass: pipy
    sidecarDrivers:
    - sidecarName: pipy
      sidecarImage: flomesh/pipy:0.90.3-38
      proxyServerPort: 6060
    localProxyMode: Localhost
  traffic:
%s    outboundIPRangeExclusionList: []
    outboundPortExclusionList: []
    inboundPortExclusionList: []
  observability:
    osmLogLevel: info
    enableDebugServer: false
    tracing:
      enable: false
  certificate:
    serviceCertValidityDuration: 24h
    certKeyBitSize: 2048
  featureFlags:
    enableEgressPolicy: true
    enableSnapshotCacheMode: false
`, m, logLevel, traffic)
}

var (
	accounts  = []string{"api", "web", "worker", "billing", "curl", "batch"}
	domains   = []string{"example.com", "example.org", "payments.example.net", "googleapis.com", "github.com", "s3.amazonaws.com"}
	tcpPorts  = []int{5432, 6379, 9092, 27017, 11211}
	httpPorts = []int{80, 8080}
)

// document returns one file's name and content. The mix, in per mille:
// 330 http with hosts, 220 https, 150 tcp with ipAddresses, 60 tcp without,
// 60 tcp-server-first, 40 grpc, 40 http naming an UpstreamTrafficSetting,
// 60 UpstreamTrafficSettings, 40 misspelled fields.
func (g *gen) document(i int, ns string) (string, string) {
	sa := accounts[g.r.IntN(len(accounts))]
	switch k := g.r.IntN(1000); {
	case k < 330:
		name := fmt.Sprintf("http-%d", i)
		return name, egress(name, ns, sa, hosts(g, i, 1+g.r.IntN(3)), nil, port(httpPorts[g.r.IntN(2)], "http"), "")
	case k < 550:
		name := fmt.Sprintf("https-%d", i)
		return name, egress(name, ns, sa, hosts(g, i, 1+g.r.IntN(2)), nil, port(443, "https"), "")
	case k < 700:
		name := fmt.Sprintf("tcp-%d", i)
		return name, egress(name, ns, sa, nil, cidrs(g, 1+g.r.IntN(3)), port(tcpPorts[g.r.IntN(len(tcpPorts))], "tcp"), "")
	case k < 760:
		name := fmt.Sprintf("tcp-open-%d", i)
		return name, egress(name, ns, sa, nil, nil, port(tcpPorts[g.r.IntN(len(tcpPorts))], "tcp"), "")
	case k < 820:
		name := fmt.Sprintf("mysql-%d", i)
		return name, egress(name, ns, sa, nil, cidrs(g, 1), port(3306, "tcp-server-first"), "")
	case k < 860:
		name := fmt.Sprintf("grpc-%d", i)
		return name, egress(name, ns, sa, nil, cidrs(g, 1), port(50051, "grpc"), "")
	case k < 900:
		name := fmt.Sprintf("limited-%d", i)
		// Mostly a setting of the same namespace; one in five names one that
		// does not exist.
		ref := fmt.Sprintf("upstream-missing-%d", i)
		if have := g.upstreams[ns]; len(have) > 0 && g.r.IntN(5) > 0 {
			ref = have[g.r.IntN(len(have))]
		}
		match := "  matches:\n  - apiGroup: policy.openservicemesh.io/v1alpha1\n    kind: UpstreamTrafficSetting\n    name: " + ref + "\n"
		return name, egress(name, ns, sa, hosts(g, i, 1), nil, port(80, "http"), match)
	case k < 960:
		name := fmt.Sprintf("upstream-%d", i)
		g.upstreams[ns] = append(g.upstreams[ns], name)
		return name, upstream(name, ns, fmt.Sprintf("svc-%d.%s.svc.cluster.local", i, ns), 50+g.r.IntN(200))
	default:
		name := fmt.Sprintf("typo-%d", i)
		body := egress(name, ns, sa, nil, cidrs(g, 1), port(tcpPorts[g.r.IntN(len(tcpPorts))], "tcp"), "")
		typo := []string{"ipAdresses", "ipaddresses", "ipAddress"}[g.r.IntN(3)]
		return name, strings.Replace(body, "ipAddresses:", typo+":", 1)
	}
}

func egress(name, ns, sa string, hs, ips []string, ports, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: %s
  namespace: %s
  labels:
    app.kubernetes.io/part-of: %s
spec:
  sources:
  - kind: ServiceAccount
    name: %s
    namespace: %s
`, name, ns, sa, sa, ns)
	list(&b, "hosts", hs)
	list(&b, "ipAddresses", ips)
	b.WriteString(ports)
	b.WriteString(extra)
	return b.String()
}

func upstream(name, ns, host string, maxConn int) string {
	return fmt.Sprintf(`apiVersion: policy.openservicemesh.io/v1alpha1
kind: UpstreamTrafficSetting
metadata:
  name: %s
  namespace: %s
spec:
  host: %s
  connectionSettings:
    tcp:
      maxConnections: %d
      connectTimeout: 5s
  rateLimit:
    local:
      http:
        requests: %d
        unit: minute
`, name, ns, host, maxConn, maxConn*10)
}

func list(b *strings.Builder, key string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s:\n", key)
	for _, it := range items {
		fmt.Fprintf(b, "  - %s\n", it)
	}
}

func port(n int, protocol string) string {
	return fmt.Sprintf("  ports:\n  - number: %d\n    protocol: %s\n", n, protocol)
}

func hosts(g *gen, i, k int) []string {
	out := make([]string, k)
	for j := range out {
		out[j] = fmt.Sprintf("svc%d-%d.%s", i, j, domains[g.r.IntN(len(domains))])
	}
	return out
}

func cidrs(g *gen, k int) []string {
	out := make([]string, k)
	for j := range out {
		out[j] = fmt.Sprintf("10.%d.%d.0/24", g.r.IntN(256), g.r.IntN(256))
	}
	return out
}
