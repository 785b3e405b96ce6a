package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"attrib/config"
)

// writeSelfSigned writes a certificate for 127.0.0.1 and its key as PEM.
func writeSelfSigned(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attrib test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTLS: with serve.tls_cert and tls_key the endpoint speaks TLS
// (sslmode=require), and psql negotiates it too.
func TestTLS(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) {
		writeSelfSigned(t, c.Dir)
		c.Serve.TLSCert, c.Serve.TLSKey = "server.crt", "server.key"
	})
	ctx := context.Background()
	c, err := pgx.Connect(ctx, "postgres://analyst:"+testPassword+"@"+e.pg+"/attrib?sslmode=require")
	if err != nil {
		t.Fatalf("TLS connect: %v", err)
	}
	defer c.Close(ctx)
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM channel_performance").Scan(&n); err != nil || n != 60 {
		t.Fatalf("over TLS: %d %v", n, err)
	}
	if _, isTLS := c.PgConn().Conn().(*tls.Conn); !isTLS {
		t.Errorf("connection is %T, not TLS", c.PgConn().Conn())
	}
	host, port, _ := net.SplitHostPort(e.pg)
	out, err := e.psqlEnv(t, []string{"PGSSLMODE=require"}, "-h", host, "-p", port, "-A", "-t", "-c", "SELECT 'over tls'")
	if err != nil || out != "over tls\n" {
		t.Fatalf("psql over TLS: %v %q", err, out)
	}
}
