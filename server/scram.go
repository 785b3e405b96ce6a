package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/codes"
	psqlerr "github.com/jeroenrinzema/psql-wire/errors"
	"github.com/jeroenrinzema/psql-wire/pkg/buffer"
	"github.com/jeroenrinzema/psql-wire/pkg/types"
)

// PostgreSQL authentication request codes.
const (
	authOK           = 0
	authSASL         = 10
	authSASLContinue = 11
	authSASLFinal    = 12
	scramIterations  = 4096
)

// pgAuth authenticates a client with SCRAM-SHA-256 (RFC 5802/7677, as
// PostgreSQL does it) against the users of the config; clients on the
// loopback interface get in without a password only when serve.anonymous
// is set and they do not claim a configured user name.
func (s *Server) pgAuth(ctx context.Context, w *buffer.Writer, r *buffer.Reader) (context.Context, error) {
	user := wire.ClientParameters(ctx)[wire.ParamUsername]
	ps := &pgSession{pid: randInt32(), secret: randInt32(), user: user}
	ctx = context.WithValue(ctx, sessionKey{}, ps)
	if _, known := s.users[user]; !known && s.anonymousOK(wire.RemoteAddress(ctx)) {
		return ctx, writeAuth(w, authOK, nil)
	}
	addr := ""
	if a := wire.RemoteAddress(ctx); a != nil {
		addr = a.String()
	}
	if err := s.loginLocked("postgres", addr, user); err != nil {
		authErr := psqlerr.WithSeverity(psqlerr.WithCode(err, codes.InvalidPassword), psqlerr.LevelFatal)
		_ = wire.WriteUnterminatedError(w, authErr)
		return ctx, errors.Join(authErr, io.EOF)
	}
	password := ""
	if u, ok := s.users[user]; ok && u.Password != "" {
		password = u.Password
	}
	ok, err := scramExchange(w, r, password)
	if err != nil {
		return ctx, err
	}
	if ok && password != "" {
		s.logins.succeed(hostOf(addr), user)
	} else {
		s.loginFailed("postgres", addr, user)
		authErr := psqlerr.WithSeverity(psqlerr.WithCode(fmt.Errorf("password authentication failed for user %q", user), codes.InvalidPassword), psqlerr.LevelFatal)
		_ = wire.WriteUnterminatedError(w, authErr)
		// Joined with io.EOF: the client has been told, the connection ends
		// like a normal close (a refused login is not a server error).
		return ctx, errors.Join(authErr, io.EOF)
	}
	return ctx, writeAuth(w, authOK, nil)
}

func writeAuth(w *buffer.Writer, code int32, data []byte) error {
	w.Start(types.ServerAuth)
	w.AddInt32(code)
	if data != nil {
		w.AddBytes(data)
	}
	return w.End()
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// scramExchange runs the server side of SCRAM-SHA-256. With an empty
// password (unknown user) it completes the exchange and reports failure,
// so user names cannot be probed.
func scramExchange(w *buffer.Writer, r *buffer.Reader, password string) (bool, error) {
	if err := writeAuth(w, authSASL, []byte("SCRAM-SHA-256\x00\x00")); err != nil {
		return false, err
	}
	gs2, clientFirstBare, clientNonce, err := readClientFirst(r)
	if err != nil {
		return false, err
	}
	salt := make([]byte, 16)
	sn := make([]byte, 18)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(sn)
	nonce := clientNonce + base64.RawStdEncoding.EncodeToString(sn)
	serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(salt), scramIterations)
	if err := writeAuth(w, authSASLContinue, []byte(serverFirst)); err != nil {
		return false, err
	}
	withoutProof, proof, err := readClientFinal(r)
	if err != nil {
		return false, err
	}
	var gotNonce, binding string
	for _, kv := range strings.Split(withoutProof, ",") {
		if v, ok := strings.CutPrefix(kv, "r="); ok {
			gotNonce = v
		}
		if v, ok := strings.CutPrefix(kv, "c="); ok {
			binding = v
		}
	}
	if gotNonce != nonce || binding != base64.StdEncoding.EncodeToString([]byte(gs2)) {
		return false, nil
	}
	if password == "" {
		_, _ = rand.Read(salt) // unknown user: compute against nothing
	}
	authMsg := []byte(clientFirstBare + "," + serverFirst + "," + withoutProof)
	serverSig, ok, err := scramVerify(password, salt, authMsg, proof)
	if err != nil || !ok {
		return false, err
	}
	if err := writeAuth(w, authSASLFinal, []byte("v="+base64.StdEncoding.EncodeToString(serverSig))); err != nil {
		return false, err
	}
	return true, nil
}

// readClientFirst reads the SASLInitialResponse (mechanism SCRAM-SHA-256)
// and returns the client-first-message's gs2 header ("n,," or "y,,", no
// channel binding), the client-first-message-bare and the client nonce.
func readClientFirst(r *buffer.Reader) (gs2, clientFirstBare, clientNonce string, err error) {
	t, _, err := r.ReadTypedMsg()
	if err != nil {
		return "", "", "", err
	}
	if t != types.ClientPassword {
		return "", "", "", errors.New("server: expected SASLInitialResponse")
	}
	mech, err := r.GetString()
	if err != nil {
		return "", "", "", err
	}
	if mech != "SCRAM-SHA-256" {
		return "", "", "", fmt.Errorf("server: unsupported SASL mechanism %q", mech)
	}
	n, err := r.GetInt32()
	if err != nil {
		return "", "", "", err
	}
	first, err := r.GetBytes(int(n))
	if err != nil {
		return "", "", "", err
	}
	// gs2 header: "n,," or "y,," (no channel binding), then client-first-bare.
	parts := strings.SplitN(string(first), ",", 3)
	if len(parts) != 3 || (parts[0] != "n" && parts[0] != "y") {
		return "", "", "", errors.New("server: malformed SCRAM client-first-message")
	}
	gs2 = parts[0] + "," + parts[1] + ","
	clientFirstBare = parts[2]
	for _, kv := range strings.Split(clientFirstBare, ",") {
		if v, ok := strings.CutPrefix(kv, "r="); ok {
			clientNonce = v
		}
	}
	if clientNonce == "" {
		return "", "", "", errors.New("server: SCRAM client nonce missing")
	}
	return gs2, clientFirstBare, clientNonce, nil
}

// readClientFinal reads the SASLResponse and returns the
// client-final-message without its proof, and the proof.
func readClientFinal(r *buffer.Reader) (withoutProof string, proof []byte, err error) {
	t, _, err := r.ReadTypedMsg()
	if err != nil {
		return "", nil, err
	}
	if t != types.ClientPassword {
		return "", nil, errors.New("server: expected SASLResponse")
	}
	final := bytes.Clone(r.Msg)
	idx := bytes.LastIndex(final, []byte(",p="))
	if idx < 0 {
		return "", nil, errors.New("server: SCRAM proof missing")
	}
	proof, err = base64.StdEncoding.DecodeString(string(final[idx+3:]))
	if err != nil {
		return "", nil, errors.New("server: malformed SCRAM proof")
	}
	return string(final[:idx]), proof, nil
}

// scramVerify checks the client's proof of password (salted with salt)
// over authMsg and returns the server signature when it holds.
func scramVerify(password string, salt, authMsg, proof []byte) (serverSig []byte, ok bool, err error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, 32)
	if err != nil {
		return nil, false, err
	}
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	sig := hmacSHA256(stored[:], authMsg)
	if len(proof) != len(sig) {
		return nil, false, nil
	}
	recovered := make([]byte, len(sig))
	for i := range sig {
		recovered[i] = proof[i] ^ sig[i]
	}
	check := sha256.Sum256(recovered)
	if subtle.ConstantTimeCompare(check[:], stored[:]) != 1 {
		return nil, false, nil
	}
	serverKey := hmacSHA256(salted, []byte("Server Key"))
	return hmacSHA256(serverKey, authMsg), true, nil
}
