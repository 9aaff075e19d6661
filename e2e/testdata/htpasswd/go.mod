module slipway.test/htpasswd

go 1.24

require golang.org/x/crypto v0.36.0
