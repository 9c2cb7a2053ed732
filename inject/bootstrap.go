package inject

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The mesh CA osm-edge keeps in its control-plane namespace, and the keys of
// a bootstrap Secret (spec §4.4 step 5).
const (
	CASecretName     = "osm-ca-bundle"
	CASecretCert     = "ca.crt"
	CASecretKey      = "private.key"
	BootstrapFile    = "bootstrap.yaml"
	BootstrapCAFile  = "cacert.pem"
	BootstrapCrtFile = "repo_cert.pem"
	BootstrapKeyFile = "repo_key.pem"
	// OSMVersion is the osm-edge release meshguard injects for.
	OSMVersion = "v1.3.9"
)

// CA signs the sidecars' bootstrap certificates.
type CA struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
}

// ParseCA reads osm-edge's CA Secret (ca.crt and private.key, PEM).
func ParseCA(data map[string][]byte) (*CA, error) {
	certPEM, keyPEM := data[CASecretCert], data[CASecretKey]
	if len(certPEM) == 0 || len(keyPEM) == 0 {
		return nil, fmt.Errorf("it has no %s or no %s", CASecretCert, CASecretKey)
	}
	cb, _ := pem.Decode(certPEM)
	if cb == nil {
		return nil, fmt.Errorf("%s is not PEM", CASecretCert)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CASecretCert, err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, fmt.Errorf("%s is not PEM", CASecretKey)
	}
	var key any
	switch kb.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(kb.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CASecretKey, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s is not a signing key", CASecretKey)
	}
	return &CA{Cert: cert, Key: signer, CertPEM: certPEM}, nil
}

// healthProbe is how the bootstrap config records an original probe, with
// osm-edge's field names (its models.HealthProbe has no JSON tags); Timeout is
// a Go duration in nanoseconds.
type healthProbe struct {
	Path        string
	Port        int32
	IsHTTP      bool
	IsTCPSocket bool
	Timeout     time.Duration
}

// bootstrapConfig is bootstrap.yaml, field names as osm-edge writes them.
type bootstrapConfig struct {
	RepoHost              string
	RepoPort              uint32
	NodeID                string
	TLSMinProtocolVersion string
	TLSMaxProtocolVersion string
	CipherSuites          []string
	ECDHCurves            []string
	OriginalHealthProbes  struct{ Liveness, Readiness, Startup *healthProbe }
}

// NodeID is the sidecar certificate's common name.
func (r *Result) NodeID(cfg Config) string { return r.CNPrefix + "." + cfg.trustDomain() }

// BootstrapSecret builds the Secret a sidecar reads its bootstrap config
// from, with a certificate for its node id signed by the mesh CA. The key is
// ECDSA P-256 (osm-edge issues RSA keys of certKeyBitSize bits): generating
// an RSA key takes tens of milliseconds, too long inside an admission request.
func BootstrapSecret(r *Result, cfg Config, ca *CA, validity time.Duration) (*corev1.Secret, error) {
	if ca == nil {
		return nil, errors.New("no mesh CA")
	}
	mc := cfg.MeshConfig
	record := func(p *corev1.Probe) *healthProbe {
		if p == nil {
			return nil
		}
		hp := &healthProbe{Timeout: time.Duration(p.TimeoutSeconds) * time.Second}
		if hp.Timeout == 0 {
			hp.Timeout = time.Second // the API server's default
		}
		switch {
		case p.HTTPGet != nil && p.HTTPGet.Scheme == corev1.URISchemeHTTPS:
			hp.Port, hp.IsTCPSocket = p.HTTPGet.Port.IntVal, true
		case p.HTTPGet != nil:
			hp.Path, hp.Port, hp.IsHTTP = p.HTTPGet.Path, p.HTTPGet.Port.IntVal, true
		case p.TCPSocket != nil:
			hp.Port, hp.IsTCPSocket = p.TCPSocket.Port.IntVal, true
		}
		return hp
	}
	var probes struct{ Liveness, Readiness, Startup *healthProbe }
	probes.Liveness, probes.Readiness, probes.Startup = record(r.Probes.Liveness), record(r.Probes.Readiness), record(r.Probes.Startup)
	tlsMin, tlsMax := mc.Spec.Sidecar.TLSMinProtocolVersion, mc.Spec.Sidecar.TLSMaxProtocolVersion
	if tlsMin == "" {
		tlsMin = "TLSv1_2" // the CRD defaults, for a MeshConfig not stored yet
	}
	if tlsMax == "" {
		tlsMax = "TLSv1_3"
	}
	conf, err := json.MarshalIndent(bootstrapConfig{
		RepoHost:              fmt.Sprintf("osm-controller.%s.svc.%s", cfg.Namespace, cfg.trustDomain()),
		RepoPort:              uint32(mc.ProxyServerPort()),
		NodeID:                r.NodeID(cfg),
		TLSMinProtocolVersion: tlsMin,
		TLSMaxProtocolVersion: tlsMax,
		CipherSuites:          mc.Spec.Sidecar.CipherSuites,
		ECDHCurves:            mc.Spec.Sidecar.ECDHCurves,
		OriginalHealthProbes:  probes,
	}, "", "")
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := ca.issue(r.NodeID(cfg), validity)
	if err != nil {
		return nil, fmt.Errorf("issue the sidecar's certificate: %w", err)
	}
	return &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      r.SecretName,
			Namespace: r.Pod.Namespace,
			Labels: map[string]string{
				"app.kubernetes.io/name":     "openservicemesh.io",
				"app.kubernetes.io/instance": cfg.MeshName,
				"app.kubernetes.io/version":  OSMVersion,
			},
			Annotations: map[string]string{AnnotationSecretPod: PodKey(r.Pod)},
		},
		Data: map[string][]byte{
			BootstrapFile:    conf,
			BootstrapCAFile:  ca.CertPEM,
			BootstrapCrtFile: certPEM,
			BootstrapKeyFile: keyPEM,
		},
	}, nil
}

// CopyBootstrap is a kubectl debug copy's Secret: the original's config with
// the new node id and a new certificate (spec §4.4 step 6).
func CopyBootstrap(r *Result, cfg Config, ca *CA, original *corev1.Secret, validity time.Duration) (*corev1.Secret, error) {
	var conf map[string]any
	if err := json.Unmarshal(original.Data[BootstrapFile], &conf); err != nil || conf == nil {
		return nil, fmt.Errorf("Secret %s: %s is not a JSON object: %v", original.Name, BootstrapFile, err)
	}
	conf["NodeID"] = r.NodeID(cfg)
	b, err := json.MarshalIndent(conf, "", "")
	if err != nil {
		return nil, err
	}
	s, err := BootstrapSecret(r, cfg, ca, validity)
	if err != nil {
		return nil, err
	}
	s.Data[BootstrapFile] = b
	return s, nil
}

func (ca *CA) issue(cn string, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Open Service Mesh"}},
		DNSNames:     []string{cn},
		NotBefore:    now.Add(-5 * time.Minute),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}
