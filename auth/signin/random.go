package signin

import "io"

// random is the Client's random source: Rand, else the platform's default.
func (c *Client) random() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return defaultRandom()
}
