package user

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// Password rules: long enough to resist guessing, short enough to hash cheaply.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// hashParams are argon2id's parameters (RFC 9106's second recommended option,
// with memory trimmed to 64 MiB so a sign-in burst does not exhaust the host).
var hashParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// ValidatePassword says why a password is not acceptable, or nil.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return errors.New("password is not valid UTF-8")
	case n < MinPasswordLen:
		return fmt.Errorf("password must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("password must be at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in PHC string format.
func HashPassword(pw string) (string, error) {
	h, err := argon2id.CreateHash(pw, hashParams)
	if err != nil {
		return "", fmt.Errorf("user: hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether pw matches hash, in constant time.
func CheckPassword(pw, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// NewToken returns a new random API token and the hash Ballast stores for it.
// Only the hash is kept; the plain token is shown once.
func NewToken() (plain, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("user: new token: %w", err)
	}
	plain = "blst_" + hex.EncodeToString(b[:])
	return plain, HashToken(plain), nil
}

// HashToken returns the stored form (SHA-256, hex) of a plain API token.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}
