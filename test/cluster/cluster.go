// Package cluster runs a real control plane on loopback for the e2e tests and
// `make run`: etcd and kube-apiserver built from Go modules (test/tools), with
// RBAC on, osm-edge's CRDs and install-default MeshConfig, a monitored
// namespace, and `meshguard serve` as a real process registered by the
// validating webhook configuration that manifests/deploy ships.
//
// Every process runs in its own session, so it outlives the command that
// started it (make run returns to the shell); everything it owns is under
// StateDir, which Down removes.
package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/certs"
	"github.com/meshguard/meshguard/manifests"
)

// Config says where the binaries are and where the state goes.
type Config struct {
	// StateDir holds everything: certificates, etcd's data, logs, the
	// kubeconfig and the record of processes. It is removed by Down.
	StateDir string
	// BinDir holds etcd, kube-apiserver and kubectl (test/tools/build.sh).
	BinDir string
	// Meshguard is the meshguard binary to serve.
	Meshguard string
	// CRDDir holds the CRDs to install (manifests/crds).
	CRDDir string
	// Namespace is the control-plane namespace (osm-system).
	Namespace string
	// Monitored is a namespace labelled as monitored by the mesh (curl).
	Monitored string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// State is what Up records in StateDir/cluster.json, for Down and for tests.
type State struct {
	Kubeconfig  string         `json:"kubeconfig"`
	Server      string         `json:"server"`
	Token       string         `json:"token"`
	Ports       map[string]int `json:"ports"`
	PIDs        map[string]int `json:"pids"`
	MeshguardCA string         `json:"meshguardCA"`
}

// Cluster is a running control plane.
type Cluster struct {
	Config
	State
}

const stateFile = "cluster.json"

func (c *Cluster) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// Up stops whatever a previous Up left in cfg.StateDir, then starts a fresh
// control plane with meshguard registered. On error everything started is
// stopped again. A port taken by another process between choosing it and
// binding it makes Up start again on new ports, up to three times.
func Up(ctx context.Context, cfg Config) (*Cluster, error) {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		var c *Cluster
		if c, err = up(ctx, cfg); err == nil {
			return c, nil
		}
		if !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "a port was taken meanwhile, starting again (%d/3)\n", attempt)
		}
	}
	return nil, err
}

func up(ctx context.Context, cfg Config) (c *Cluster, err error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "osm-system"
	}
	if cfg.Monitored == "" {
		cfg.Monitored = "curl"
	}
	for _, b := range []string{filepath.Join(cfg.BinDir, "etcd"), filepath.Join(cfg.BinDir, "kube-apiserver"), filepath.Join(cfg.BinDir, "kubectl"), cfg.Meshguard} {
		if _, err := os.Stat(b); err != nil {
			return nil, fmt.Errorf("%s is missing: build it with test/tools/build.sh and make build", b)
		}
	}
	if err := Down(cfg.StateDir); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	cfg.StateDir = abs
	c = &Cluster{Config: cfg, State: State{Ports: map[string]int{}, PIDs: map[string]int{}}}
	defer func() {
		if err != nil {
			_ = Down(cfg.StateDir)
		}
	}()
	for _, d := range []string{"pki", "logs", "etcd"} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o700); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"etcd", "etcd-peer", "apiserver", "webhook", "metrics", "health"} {
		if c.Ports[name], err = freePort(); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if err := c.startEtcd(ctx); err != nil {
		return nil, err
	}
	if err := c.startAPIServer(ctx); err != nil {
		return nil, err
	}
	c.logf("control plane ready in %.1fs (kube-apiserver %s)", time.Since(start).Seconds(), c.Server)
	if err := c.install(ctx); err != nil {
		return nil, err
	}
	if err := c.StartMeshguard(ctx); err != nil {
		return nil, err
	}
	if err := c.register(ctx); err != nil {
		return nil, err
	}
	c.logf("meshguard registered in %.1fs", time.Since(start).Seconds())
	return c, nil
}

// Load reads the state of a running cluster.
func Load(stateDir string) (*Cluster, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, stateFile))
	if err != nil {
		return nil, err
	}
	c := &Cluster{Config: Config{StateDir: stateDir}}
	return c, json.Unmarshal(b, &c.State)
}

func (c *Cluster) save() error {
	b, err := json.MarshalIndent(c.State, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.StateDir, stateFile), b, 0o600)
}

// Down stops every process recorded in stateDir and removes it. A missing
// stateDir is not an error.
func Down(stateDir string) error {
	b, err := os.ReadFile(filepath.Join(stateDir, stateFile))
	if err == nil {
		var s State
		if json.Unmarshal(b, &s) == nil {
			// meshguard first, etcd last: each stops while what it talks to is up.
			for _, name := range []string{"meshguard", "kube-apiserver", "etcd"} {
				if pid := s.PIDs[name]; pid > 0 {
					stop(pid)
				}
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.RemoveAll(stateDir); err != nil {
		return fmt.Errorf("remove %s: %w", stateDir, err)
	}
	return nil
}

// stop sends SIGTERM to a process group and waits up to 10 s before SIGKILL.
func stop(pid int) {
	if syscall.Kill(-pid, syscall.SIGTERM) != nil {
		return // gone already
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	// A zombie still answers kill 0; it is dead for our purposes.
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b))
	return len(fields) < 3 || fields[2] != "Z"
}

// freePort returns a port that is free now, below Linux's ephemeral range
// (32768 and up), so that the kernel does not hand it to an outgoing
// connection between this check and the process binding it. Another process
// may still take it: Up starts again on "address already in use".
func freePort() (int, error) {
	for i := 0; i < 100; i++ {
		n, err := rand.Int(rand.Reader, big.NewInt(32767-20000))
		if err != nil {
			return 0, err
		}
		port := 20000 + int(n.Int64())
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, errors.New("no free port between 20000 and 32767")
}

// spawn starts a process in its own session with its output in logs/NAME.log,
// and records its pid. The process is reaped by a goroutine while this
// program runs, and by init after it exits.
func (c *Cluster) spawn(name, bin string, args ...string) error {
	logf, err := os.OpenFile(filepath.Join(c.StateDir, "logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	logf.Close()
	go func() { _ = cmd.Wait() }()
	c.PIDs[name] = cmd.Process.Pid
	return c.save()
}

// waitFor polls check until it succeeds, the process dies or timeout passes.
func (c *Cluster) waitFor(ctx context.Context, name string, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if last = check(); last == nil {
			return nil
		}
		if !alive(c.PIDs[name]) {
			return fmt.Errorf("%s exited: %v; its log: %s", name, last, c.tail(name))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %v; its log: %s", name, timeout, last, c.tail(name))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tail returns the end of a process's log, for error messages.
func (c *Cluster) tail(name string) string {
	b, _ := os.ReadFile(filepath.Join(c.StateDir, "logs", name+".log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return fmt.Sprintf("%s (%s)", strings.TrimSpace(string(b)), filepath.Join(c.StateDir, "logs", name+".log"))
}

func httpGet(client *http.Client, url, token string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func (c *Cluster) startEtcd(ctx context.Context) error {
	client := fmt.Sprintf("http://127.0.0.1:%d", c.Ports["etcd"])
	peer := fmt.Sprintf("http://127.0.0.1:%d", c.Ports["etcd-peer"])
	if err := c.spawn("etcd", filepath.Join(c.BinDir, "etcd"),
		"--name", "meshguard", "--data-dir", filepath.Join(c.StateDir, "etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "meshguard="+peer,
		"--unsafe-no-fsync", "--log-level", "warn"); err != nil {
		return err
	}
	hc := &http.Client{Timeout: time.Second}
	return c.waitFor(ctx, "etcd", 30*time.Second, func() error { return httpGet(hc, client+"/health", "") })
}

func (c *Cluster) startAPIServer(ctx context.Context) error {
	pki := filepath.Join(c.StateDir, "pki")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(pki, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(pki, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600); err != nil {
		return err
	}
	tok := make([]byte, 24)
	if _, err := rand.Read(tok); err != nil {
		return err
	}
	c.Token = hex.EncodeToString(tok)
	if err := os.WriteFile(filepath.Join(pki, "tokens.csv"), []byte(c.Token+",admin,admin,system:masters\n"), 0o600); err != nil {
		return err
	}
	port := c.Ports["apiserver"]
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", port)
	if err := c.spawn("kube-apiserver", filepath.Join(c.BinDir, "kube-apiserver"),
		"--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", c.Ports["etcd"]),
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(port), "--cert-dir", pki,
		"--token-auth-file", filepath.Join(pki, "tokens.csv"), "--authorization-mode", "RBAC",
		"--service-account-issuer", c.Server,
		"--service-account-key-file", filepath.Join(pki, "sa.pub"),
		"--service-account-signing-key-file", filepath.Join(pki, "sa.key"),
		"--service-cluster-ip-range", "10.0.0.0/24",
		"--endpoint-reconciler-type", "none",
		"--disable-admission-plugins", "ServiceAccount"); err != nil {
		return err
	}
	crt := filepath.Join(pki, "apiserver.crt")
	err = c.waitFor(ctx, "kube-apiserver", 60*time.Second, func() error {
		ca, err := os.ReadFile(crt)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return errors.New("apiserver.crt holds no certificate yet")
		}
		hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		return httpGet(hc, c.Server+"/readyz", c.Token)
	})
	if err != nil {
		return err
	}
	ca, err := os.ReadFile(crt)
	if err != nil {
		return err
	}
	c.Kubeconfig = filepath.Join(c.StateDir, "kubeconfig")
	kc := map[string]any{
		"apiVersion": "v1", "kind": "Config", "current-context": "meshguard",
		"clusters": []any{map[string]any{"name": "meshguard", "cluster": map[string]any{
			"server": c.Server, "certificate-authority-data": base64.StdEncoding.EncodeToString(ca)}}},
		"users":    []any{map[string]any{"name": "admin", "user": map[string]any{"token": c.Token}}},
		"contexts": []any{map[string]any{"name": "meshguard", "context": map[string]any{"cluster": "meshguard", "user": "admin"}}},
	}
	b, err := yaml.Marshal(kc)
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.Kubeconfig, b, 0o600); err != nil {
		return err
	}
	return c.save()
}

// Result is what a kubectl run printed.
type Result struct {
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
}

// Kubectl runs the built kubectl against the cluster, with stdin when not empty.
func (c *Cluster) Kubectl(ctx context.Context, stdin string, args ...string) Result {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, "kubectl"), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		errb.WriteString(err.Error())
	}
	return Result{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

func (c *Cluster) must(ctx context.Context, stdin string, args ...string) error {
	if r := c.Kubectl(ctx, stdin, args...); r.Code != 0 {
		return fmt.Errorf("kubectl %s: %s", strings.Join(args, " "), r)
	}
	return nil
}

// install adds the CRDs, the control-plane namespace with osm-edge's
// install-default MeshConfig, and a monitored namespace.
func (c *Cluster) install(ctx context.Context) error {
	if err := c.must(ctx, "", "apply", "-f", c.CRDDir); err != nil {
		return err
	}
	if err := c.must(ctx, "", "wait", "--for=condition=Established", "--timeout=60s", "-f", c.CRDDir); err != nil {
		return err
	}
	ns := fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: %s
---
apiVersion: v1
kind: Namespace
metadata:
  name: %s
  labels:
    openservicemesh.io/monitored-by: osm
`, c.Namespace, c.Monitored)
	if err := c.must(ctx, ns, "create", "-f", "-"); err != nil {
		return err
	}
	// osm-bootstrap creates the MeshConfig through the API, not with kubectl
	// apply, so it has no last-applied annotation: create, not apply.
	mc := strings.ReplaceAll(string(manifests.DefaultMeshConfig), "namespace: osm-system", "namespace: "+c.Namespace)
	if err := c.must(ctx, mc, "create", "-f", "-"); err != nil {
		return err
	}
	// The mesh CA osm-edge keeps for its certificates, which injection signs
	// the sidecars' bootstrap certificates with.
	ca, err := certs.Generate([]string{"osm-ca.openservicemesh.io"}, 365*24*time.Hour)
	if err != nil {
		return err
	}
	secret := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: osm-ca-bundle\n  namespace: %s\ndata:\n  ca.crt: %s\n  private.key: %s\n",
		c.Namespace, base64.StdEncoding.EncodeToString(ca.CA), base64.StdEncoding.EncodeToString(ca.CAKey))
	return c.must(ctx, secret, "create", "-f", "-")
}

// StartMeshguard starts `meshguard serve` (again, after StopMeshguard) and
// waits until it is ready: its cache has synced.
func (c *Cluster) StartMeshguard(ctx context.Context) error {
	certDir := filepath.Join(c.StateDir, "webhook-certs")
	if _, err := os.Stat(filepath.Join(certDir, certs.CertFile)); err != nil {
		b, err := certs.Generate([]string{"127.0.0.1", "localhost"}, 365*24*time.Hour)
		if err != nil {
			return err
		}
		if err := b.Write(certDir); err != nil {
			return err
		}
		c.MeshguardCA = base64.StdEncoding.EncodeToString(b.CA)
	}
	if err := c.spawn("meshguard", c.Meshguard, "serve",
		"--kubeconfig", c.Kubeconfig, "--namespace", c.Namespace,
		"--host", "127.0.0.1", "--port", strconv.Itoa(c.Ports["webhook"]), "--cert-dir", certDir,
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", c.Ports["metrics"]),
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", c.Ports["health"]),
		"--log-format", "text"); err != nil {
		return err
	}
	hc := &http.Client{Timeout: time.Second}
	return c.waitFor(ctx, "meshguard", 60*time.Second, func() error {
		return httpGet(hc, fmt.Sprintf("http://127.0.0.1:%d/readyz", c.Ports["health"]), "")
	})
}

// StopMeshguard stops the meshguard process, leaving its registration.
func (c *Cluster) StopMeshguard() {
	stop(c.PIDs["meshguard"])
	c.PIDs["meshguard"] = 0
	_ = c.save()
}

// KillMeshguard kills the meshguard process with SIGKILL, as a crash or an
// OOM kill would, leaving its registration.
func (c *Cluster) KillMeshguard() {
	if pid := c.PIDs["meshguard"]; pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		for alive(pid) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	c.PIDs["meshguard"] = 0
	_ = c.save()
}

// MetricsURL is meshguard's Prometheus endpoint.
func (c *Cluster) MetricsURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", c.Ports["metrics"])
}

// WebhookURL is meshguard's validating endpoint.
func (c *Cluster) WebhookURL() string { return c.WebhookBase() + "/validate" }

// WebhookBase is meshguard's HTTPS address.
func (c *Cluster) WebhookBase() string {
	return fmt.Sprintf("https://127.0.0.1:%d", c.Ports["webhook"])
}

// register applies manifests/deploy/validating-webhook.yaml and
// mutating-webhook.yaml with their service references replaced by meshguard's
// loopback URL and CA, then waits until the API server calls it: a dry-run
// create of a policy meshguard denies.
func (c *Cluster) register(ctx context.Context) error {
	for _, m := range []struct {
		manifest []byte
		path     string
	}{{manifests.ValidatingWebhook, "/validate"}, {manifests.MutatingWebhook, "/mutate-pod"}} {
		var cfg map[string]any
		if err := yaml.Unmarshal(m.manifest, &cfg); err != nil {
			return err
		}
		meta, _ := cfg["metadata"].(map[string]any)
		delete(meta, "annotations") // no cert-manager here
		hooks, _ := cfg["webhooks"].([]any)
		for _, h := range hooks {
			hook := h.(map[string]any)
			hook["clientConfig"] = map[string]any{"url": c.WebhookBase() + m.path, "caBundle": c.MeshguardCA}
		}
		b, err := yaml.Marshal(cfg)
		if err != nil {
			return err
		}
		if c.Namespace != "osm-system" {
			b = bytes.ReplaceAll(b, []byte("osm-system"), []byte(c.Namespace))
		}
		if err := c.must(ctx, string(b), "apply", "-f", "-"); err != nil {
			return err
		}
	}
	probe := fmt.Sprintf(`apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: meshguard-probe
  namespace: %s
spec:
  sources: [{kind: ServiceAccount, name: probe, namespace: %s}]
  hosts: [probe.example.com]
  ports: [{number: 80, protocol: not-a-protocol}]
`, c.Monitored, c.Monitored)
	return c.waitFor(ctx, "meshguard", 30*time.Second, func() error {
		r := c.Kubectl(ctx, probe, "create", "--dry-run=server", "-f", "-")
		if r.Code != 0 && strings.Contains(r.Stderr, "denied the request") {
			return nil
		}
		return fmt.Errorf("the API server does not call meshguard yet: %s", r)
	})
}
