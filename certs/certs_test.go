package certs

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A generated bundle serves TLS that a client trusting only the CA accepts for
// each host, and refuses for another.
func TestGenerateServesTLS(t *testing.T) {
	b, err := Generate([]string{"127.0.0.1", "localhost"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := b.Write(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(back.Cert, back.Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(back.CA) {
		t.Fatal("ca.crt holds no certificate")
	}
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for host, ok := range map[string]bool{"127.0.0.1": true, "localhost": true} {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: host}}}
		_, err := c.Get("https://127.0.0.1:" + port)
		if (err == nil) != ok {
			t.Errorf("host %s: err = %v", host, err)
		}
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"}}}
	if _, err := c.Get("https://127.0.0.1:" + port); err == nil {
		t.Error("a host the certificate does not name was accepted")
	}
	exp, err := back.Expiry()
	if err != nil || time.Until(exp) > time.Hour || time.Until(exp) < 50*time.Minute {
		t.Errorf("expiry = %v, %v", exp, err)
	}
}

func TestGenerateNeedsHosts(t *testing.T) {
	if _, err := Generate(nil, time.Hour); err == nil {
		t.Fatal("no error without hosts")
	}
}
