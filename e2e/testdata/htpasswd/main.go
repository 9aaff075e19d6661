// Command htpasswd prints an htpasswd line (bcrypt, as the registry's
// htpasswd auth requires) for the user and password in HTPASSWD_USER and
// HTPASSWD_PASSWORD. The sign test's registry uses it.
package main

import (
	"fmt"
	"os"

	"golang.org/x/crypto/bcrypt"
)

func main() {
	hash, err := bcrypt.GenerateFromPassword([]byte(os.Getenv("HTPASSWD_PASSWORD")), bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "htpasswd:", err)
		os.Exit(1)
	}
	fmt.Printf("%s:%s\n", os.Getenv("HTPASSWD_USER"), hash)
}
