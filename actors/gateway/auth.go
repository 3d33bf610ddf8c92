package gateway

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// tokenOK checks the shared webhook token from the X-Webhook-Token header or,
// for CRMs that can only configure a URL, the token query parameter.
func tokenOK(r *http.Request, want string) bool {
	if want == "" {
		return true
	}
	got := r.Header.Get("X-Webhook-Token")
	if got == "" {
		got = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// signatureOK checks X-Webhook-Signature: hex HMAC-SHA256 of the raw body.
// A "sha256=" prefix, as some providers send, is accepted.
func signatureOK(r *http.Request, body []byte, secret string) bool {
	if secret == "" {
		return true
	}
	got := strings.TrimPrefix(strings.TrimSpace(r.Header.Get("X-Webhook-Signature")), "sha256=")
	sig, err := hex.DecodeString(got)
	if err != nil || len(sig) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// apiKeyOK compares the admin key in constant time.
func apiKeyOK(r *http.Request, want string) bool {
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("X-API-Key")), []byte(want)) == 1
}
