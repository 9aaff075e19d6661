// the yarn release
