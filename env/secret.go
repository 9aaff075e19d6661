package env

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// SecretBytes is the entropy of a generated secret: 256 bits.
const SecretBytes = 32

// SecretLength is the length of a generated secret: 32 bytes in unpadded
// base64url.
const SecretLength = 43

// GenerateCommand makes a secret of the same shape as GenerateSecret with
// standard tools: 32 random bytes as base64, mapped to the URL-safe alphabet
// (A-Z a-z 0-9 - _) and stripped of padding. Its output never contains '$',
// so compose never tries to interpolate it, and it needs no URL-encoding.
const GenerateCommand = `openssl rand -base64 32 | tr '+/' '-_' | tr -d '='`

// GenerateSecret returns a fresh secret: 256 bits from crypto/rand as
// unpadded base64url, 43 characters from A-Z a-z 0-9 - _.
func GenerateSecret() (string, error) {
	b := make([]byte, SecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate secret: read crypto/rand: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
