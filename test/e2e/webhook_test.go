package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// clusterArgs snapshots the cluster's state (its MeshConfig, its Egress and
// UpstreamTrafficSetting objects, its namespaces' labels) as arguments of
// `meshguard validate`.
func clusterArgs(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	mc := filepath.Join(dir, "meshconfig.yaml")
	if err := os.WriteFile(mc, []byte(ok(t, "", "get", "meshconfig", "osm-mesh-config", "-n", "osm-system", "-o", "yaml").Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(objs, []byte(ok(t, "", "get", "egresses,upstreamtrafficsettings", "-A", "-o", "yaml").Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{objs, "--mesh-config", mc}
	var nss struct {
		Items []struct {
			Metadata struct {
				Name   string            `json:"name"`
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(ok(t, "", "get", "namespaces", "-o", "json").Stdout), &nss); err != nil {
		t.Fatal(err)
	}
	for _, n := range nss.Items {
		var kv []string
		for k, v := range n.Metadata.Labels {
			kv = append(kv, k+"="+v)
		}
		args = append(args, "--namespace-labels", n.Metadata.Name+":"+strings.Join(kv, ","))
	}
	return args
}

// validateCodes runs `meshguard validate` on file with the cluster's state
// and returns the deny and warn codes it reports for file, and whether any is
// deny-level.
func validateCodes(t *testing.T, file string, state []string) ([]string, bool) {
	t.Helper()
	args := append([]string{"validate", file, "-o", "json"}, state...)
	out, err := exec.Command(meshguard, args...).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("meshguard %v: %v\n%s", args, err, out)
	}
	var res struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			File     string `json:"file"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("validate -o json: %v\n%s", err, out)
	}
	var text strings.Builder
	deny := false
	for _, f := range res.Findings {
		if f.File == file && f.Severity != "info" {
			text.WriteString("[" + f.Rule + "] ")
			deny = deny || f.Severity == "deny"
		}
	}
	return codes(text.String()), deny
}

// The webhook's verdicts equal `meshguard validate`'s on the same objects in
// the same cluster state: every one-document Egress and UpstreamTrafficSetting
// example, created with --dry-run=server, with passthrough off and on.
func TestWebhookMatchesValidate(t *testing.T) {
	files, _ := filepath.Glob("../../examples/egress/*/*.yaml")
	var single []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var obj struct {
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if strings.Count("\n"+string(data), "\nkind:") != 1 || yaml.Unmarshal(data, &obj) != nil || obj.Metadata.Namespace == "" {
			continue
		}
		ns := obj.Metadata.Namespace
		ok(t, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "+ns+"\n  labels:\n    openservicemesh.io/monitored-by: osm\n", "apply", "-f", "-")
		abs, _ := filepath.Abs(file)
		single = append(single, abs)
	}
	// validate cannot tell "the cluster has no UpstreamTrafficSetting" from
	// "the inputs show none", and stays silent on a missing one (MG3005) in the
	// second case; the webhook knows the first. One unrelated object makes the
	// kind known to both.
	ok(t, "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: UpstreamTrafficSetting\nmetadata:\n  name: unrelated\n  namespace: curl\nspec:\n  host: unrelated.curl.svc.cluster.local\n", "apply", "-f", "-")
	defer ok(t, "", "delete", "upstreamtrafficsetting", "unrelated", "-n", "curl")
	compared := 0
	for _, on := range []bool{false, true} {
		egressPassthrough(t, on)
		state := clusterArgs(t)
		for _, file := range single {
			r := judged(t, "", "create", "--dry-run=server", "-f", file)
			if r.Code != 0 && !strings.Contains(r.Stderr, "admission webhook") {
				// The API server itself refused it (schema, unknown version):
				// meshguard never saw it. TestInvalidPolicies covers that path.
				continue
			}
			cli, deny := validateCodes(t, file, state)
			if webhook := codes(r.Stderr); !reflect.DeepEqual(webhook, cli) {
				t.Errorf("%s (passthrough %v): webhook %v, validate %v\n%s", file, on, webhook, cli, r.Stderr)
			}
			if (r.Code != 0) != deny {
				t.Errorf("%s (passthrough %v): kubectl exit %d, validate deny=%v", file, on, r.Code, deny)
			}
			compared++
		}
	}
	if compared < 30 {
		t.Errorf("only %d comparisons", compared)
	}
}

// metric returns the sum of a Prometheus counter's samples whose labels
// contain every label in match.
func metric(t *testing.T, name string, match ...string) float64 {
	t.Helper()
	resp, err := http.Get(need(t).MetricsURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, name+"{") {
			continue
		}
		all := true
		for _, m := range match {
			all = all && strings.Contains(l, m)
		}
		if all {
			var v float64
			if _, err := fmt.Sscan(l[strings.LastIndex(l, " ")+1:], &v); err == nil {
				sum += v
			}
		}
	}
	return sum
}

// Metrics count decisions by verdict and findings by rule.
func TestMetrics(t *testing.T) {
	egressPassthrough(t, false)
	before := metric(t, "meshguard_admission_requests_total", `kind="Egress"`, `verdict="denied"`)
	rule := metric(t, "meshguard_admission_findings_total", `code="MG2003"`)
	kubectl(t, egress("metrics-grpc", "  hosts: [a.example.com]\n  ports:\n  - number: 443\n    protocol: grpc\n"), "create", "--dry-run=server", "-f", "-")
	if got := metric(t, "meshguard_admission_requests_total", `kind="Egress"`, `verdict="denied"`, `dry_run="true"`); got < 1 || metric(t, "meshguard_admission_requests_total", `kind="Egress"`, `verdict="denied"`) != before+1 {
		t.Errorf("denied Egress requests: before %v, after %v", before, got)
	}
	if got := metric(t, "meshguard_admission_findings_total", `code="MG2003"`, `rule="unknown-protocol"`, `severity="deny"`); got != rule+1 {
		t.Errorf("MG2003 findings: before %v, after %v", rule, got)
	}
	resp, err := http.Get(need(t).MetricsURL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "meshguard_admission_duration_seconds_bucket") {
		t.Error("no latency histogram")
	}
}

// With meshguard stopped, the failure policy manifests/deploy ships (Ignore)
// lets requests through unjudged, and the API server says nothing to the user;
// once meshguard is back, the same request is denied again.
func TestMeshguardDown(t *testing.T) {
	c := need(t)
	egressPassthrough(t, false)
	bad := egress("while-down", "  hosts: [a.example.com]\n  ports:\n  - number: 443\n    protocol: grpc\n")
	c.StopMeshguard()
	restarted := false
	defer func() {
		if !restarted {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = c.StartMeshguard(ctx)
		}
	}()
	start := time.Now()
	r := ok(t, bad, "create", "-f", "-")
	took := time.Since(start)
	if len(codes(r.Stderr)) != 0 || strings.Contains(r.Stderr, "Warning") {
		t.Errorf("with meshguard down kubectl printed: %s", r.Stderr)
	}
	if !stored(t, "egress", "while-down") {
		t.Error("with failurePolicy Ignore the Egress should be stored")
	}
	t.Logf("create with meshguard down took %v", took)
	ok(t, "", "delete", "egress", "while-down", "-n", "curl")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.StartMeshguard(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	r = kubectl(t, bad, "create", "-f", "-")
	if r.Code == 0 || !strings.Contains(r.Stderr, "[MG2003]") {
		t.Errorf("after the restart the invalid Egress was not denied: %s", r)
	}
}

// meshguard is killed (SIGKILL) and restarted during a loop of admissions
// through the API server. With the shipped failure policy (Ignore) the user
// sees no error at any point: while meshguard is down an invalid policy is
// admitted without a word (the dry run stores nothing), and once it is back
// the policy is denied again. No request fails for another reason.
func TestKillDuringAdmissions(t *testing.T) {
	c := need(t)
	egressPassthrough(t, false)
	bad := egress("loop", "  hosts: [a.example.com]\n  ports:\n  - number: 443\n    protocol: grpc\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var denied, admitted, other int
	outcome := func() string {
		r := c.Kubectl(ctx, bad, "create", "--dry-run=server", "-f", "-")
		switch {
		case r.Code != 0 && strings.Contains(r.Stderr, "[MG2003]"):
			denied++
			return "denied"
		case r.Code == 0 && !strings.Contains(r.Stderr, "Warning"):
			admitted++
			return "admitted"
		default:
			other++
			t.Errorf("unexpected outcome: %s", r)
			return "other"
		}
	}
	for i := 0; i < 10; i++ {
		outcome()
	}
	c.KillMeshguard()
	killed := time.Now()
	for i := 0; i < 10; i++ {
		outcome()
	}
	restart := make(chan error, 1)
	go func() { restart <- c.StartMeshguard(ctx) }()
	var back time.Duration
	for i := 0; i < 200; i++ {
		if outcome() == "denied" && back == 0 {
			back = time.Since(killed)
		}
		if back > 0 && i > 10 {
			break
		}
	}
	if err := <-restart; err != nil {
		t.Fatal(err)
	}
	t.Logf("denied %d, admitted while down %d, other %d; denials resumed %v after the kill", denied, admitted, other, back)
	if denied < 10 || admitted < 10 || other != 0 || back == 0 {
		t.Errorf("denied %d (want >= 10 before the kill and some after), admitted %d (want >= 10 while down), other %d", denied, admitted, other)
	}
	if stored(t, "egress", "loop") {
		t.Error("a dry run stored the Egress")
	}
}
