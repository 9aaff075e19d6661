module github.com/vito/dang/v2

go 1.25.3

require github.com/vito/dang v1.0.1
