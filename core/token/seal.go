package token

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
)

// A private key is stored as a small envelope: one version byte, then the PKCS#8 DER, sealed or not. The byte makes
// a sealed key and a plaintext one distinguishable without guessing, so a KEK configured later can still read the
// keys stored before it, and a sealed key read without a KEK is a clear error instead of a DER parse failure.
const (
	// envelopePlain is 0x01 || PKCS#8 DER: written when no key_encryption_key is configured.
	envelopePlain byte = 0x01
	// envelopeAESGCM is 0x02 || nonce (12 bytes) || AES-256-GCM(PKCS#8 DER) with additionalData(host, kid).
	envelopeAESGCM byte = 0x02
)

// KEKSize is the length of a key_encryption_key: an AES-256 key.
const KEKSize = 32

// ErrUndecryptable means a sealed private key could not be opened with the configured key_encryption_key (none,
// or another one than it was sealed with, or the record was altered).
var ErrUndecryptable = errors.New("wrong or missing key_encryption_key")

// seal wraps the PKCS#8 DER of the key kid of host in an envelope: sealed under kek with a random nonce, or
// plaintext when kek is nil. The kid and host are authenticated, so a sealed key copied to another record or
// another host does not open.
func seal(kek []byte, host, kid string, der []byte) ([]byte, error) {
	if kek == nil {
		return append([]byte{envelopePlain}, der...), nil
	}
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	return aead.Seal([]byte{envelopeAESGCM}, nil, der, additionalData(host, kid)), nil
}

// open returns the PKCS#8 DER inside an envelope. A plaintext envelope opens with or without a KEK; a sealed one
// needs the KEK it was sealed with, else the error wraps ErrUndecryptable.
func open(kek []byte, host, kid string, env []byte) ([]byte, error) {
	if len(env) == 0 {
		return nil, fmt.Errorf("signing key %s has no private part", kid)
	}
	switch env[0] {
	case envelopePlain:
		return append([]byte(nil), env[1:]...), nil
	case envelopeAESGCM:
		if kek == nil {
			return nil, undecryptable(kid)
		}
		aead, err := newAEAD(kek)
		if err != nil {
			return nil, err
		}
		der, err := aead.Open(nil, nil, env[1:], additionalData(host, kid))
		if err != nil {
			return nil, undecryptable(kid)
		}
		return der, nil
	}
	return nil, fmt.Errorf("signing key %s: unknown private key envelope version %d", kid, env[0])
}

// sealed reports whether an envelope is encrypted.
func sealed(env []byte) bool { return len(env) > 0 && env[0] == envelopeAESGCM }

func undecryptable(kid string) error {
	return fmt.Errorf("signing key %s cannot be decrypted: %w", kid, ErrUndecryptable)
}

// newAEAD is AES-256-GCM under kek with a random 96-bit nonce prefixed to the ciphertext. A host has a handful of
// keys sealed over years, far below the 2^32 random-nonce limit of one GCM key.
func newAEAD(kek []byte) (cipher.AEAD, error) {
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("token: key_encryption_key must be %d bytes, not %d", KEKSize, len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// additionalData binds a sealed key to its envelope version, host and kid. The host is length-prefixed so no
// (host, kid) pair can be read as another.
func additionalData(host, kid string) []byte {
	ad := append([]byte("assentry signing key"), 0, envelopeAESGCM)
	ad = binary.AppendUvarint(ad, uint64(len(host)))
	ad = append(ad, host...)
	return append(ad, kid...)
}
