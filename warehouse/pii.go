package warehouse

import "crypto/sha256"

// HMACPads returns the inner and outer padded key blocks of HMAC-SHA-256
// (RFC 2104), which the SQL macro attrib_hmac combines with the message.
func HMACPads(key []byte) (ipad, opad []byte) {
	const block = 64
	if len(key) > block {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	k := make([]byte, block)
	copy(k, key)
	ipad = make([]byte, block)
	opad = make([]byte, block)
	for i := range k {
		ipad[i] = k[i] ^ 0x36
		opad[i] = k[i] ^ 0x5c
	}
	return ipad, opad
}
