// Package certs makes the webhook's serving certificate for places without
// cert-manager: the local control plane of `make run` and the e2e tests. In a
// cluster, manifests/deploy asks cert-manager for it instead.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names in a cert dir, as controller-runtime's webhook server and
// cert-manager's Secrets name them.
const (
	CAFile   = "ca.crt"
	CertFile = "tls.crt"
	KeyFile  = "tls.key"
)

// Bundle is a CA and a serving certificate it signed, PEM-encoded. CAKey is
// the CA's key, kept only in memory (Write does not store it).
type Bundle struct {
	CA, Cert, Key []byte
	CAKey         []byte
}

// Generate makes a CA and a serving certificate for hosts (DNS names or IP
// addresses), valid for validity.
func Generate(hosts []string, validity time.Duration) (*Bundle, error) {
	if len(hosts) == 0 {
		return nil, errors.New("certs: no host names")
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "meshguard-webhook-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	caKeyDER, err := x509.MarshalECPrivateKey(caKey)
	if err != nil {
		return nil, err
	}
	return &Bundle{
		CA:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Cert:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key:   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		CAKey: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: caKeyDER}),
	}, nil
}

// Write stores the bundle in dir as ca.crt, tls.crt and tls.key. The key is
// written first under a temporary name, so a watcher never pairs a new
// certificate with an old key for long.
func (b *Bundle) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{{KeyFile, b.Key, 0o600}, {CertFile, b.Cert, 0o644}, {CAFile, b.CA, 0o644}} {
		tmp := filepath.Join(dir, "."+f.name+".tmp")
		if err := os.WriteFile(tmp, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, f.name)); err != nil {
			return err
		}
	}
	return nil
}

// Load reads a bundle from dir; ca.crt may be absent.
func Load(dir string) (*Bundle, error) {
	b := &Bundle{}
	var err error
	if b.Cert, err = os.ReadFile(filepath.Join(dir, CertFile)); err != nil {
		return nil, err
	}
	if b.Key, err = os.ReadFile(filepath.Join(dir, KeyFile)); err != nil {
		return nil, err
	}
	b.CA, _ = os.ReadFile(filepath.Join(dir, CAFile))
	return b, nil
}

// Expiry returns when the serving certificate expires.
func (b *Bundle) Expiry() (time.Time, error) {
	block, _ := pem.Decode(b.Cert)
	if block == nil {
		return time.Time{}, fmt.Errorf("certs: %s holds no PEM certificate", CertFile)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return time.Time{}, fmt.Errorf("certs: %s: %w", CertFile, err)
	}
	return c.NotAfter, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(fmt.Sprintf("certs: crypto/rand failed: %v", err))
	}
	return n
}
