package main

import (
	"fmt"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/env"
)

// maxSecrets bounds --count, to catch a typo rather than print a wall.
const maxSecrets = 1000

// SecretCmd is `slipway secret`.
type SecretCmd struct {
	Count int `short:"n" default:"1" help:"How many secrets to print, one a line."`
}

// Run prints the secrets.
func (c *SecretCmd) Run(k *kong.Context) error {
	if c.Count < 1 || c.Count > maxSecrets {
		return fmt.Errorf("--count=%d: give a number from 1 to %d", c.Count, maxSecrets)
	}
	for range c.Count {
		s, err := env.GenerateSecret()
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(k.Stdout, s); err != nil {
			return fmt.Errorf("write secret: %w", err)
		}
	}
	return nil
}
