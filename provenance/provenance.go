// Package provenance writes the build provenance Slipway attaches to a
// published image: an in-toto Statement v1 whose predicate is a SLSA v1
// provenance (https://slsa.dev/spec/v1.1/provenance). It says what was
// built (the image digest), from what (the source URL and revision, the
// options that shaped the image, the base images by digest), by what
// (Slipway and its version) and that the image passed ci (the stages that
// ran, with their durations). It is plain Go: the pipeline gathers the facts
// and hands the predicate to cosign.
package provenance

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/distribution/reference"
)

// Types and identifiers this package writes.
const (
	// StatementType is the in-toto Statement v1 type.
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateType is the SLSA provenance v1 predicate type.
	PredicateType = "https://slsa.dev/provenance/v1"
	// BuildType names Slipway's build: the document it points to says what
	// each parameter means.
	BuildType = "https://github.com/slipwayhq/slipway/blob/main/provenance/buildtype.md"
	// BuilderID names Slipway as the builder.
	BuilderID = "https://github.com/slipwayhq/slipway"
	// CIMediaType is the media type of the ci byproduct.
	CIMediaType = "application/vnd.slipway.ci.v1+json"
)

// Statement is an in-toto Statement v1 about the pushed image.
type Statement struct {
	Type          string               `json:"_type"`
	Subject       []ResourceDescriptor `json:"subject"`
	PredicateType string               `json:"predicateType"`
	Predicate     Provenance           `json:"predicate"`
}

// Provenance is the SLSA v1 provenance predicate.
type Provenance struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition is what the build was asked to do and what it read.
type BuildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   ExternalParameters   `json:"externalParameters"`
	InternalParameters   map[string]any       `json:"internalParameters,omitempty"`
	ResolvedDependencies []ResourceDescriptor `json:"resolvedDependencies,omitempty"`
}

// ExternalParameters are the caller's inputs: where the source came from
// and the options that shaped the image.
type ExternalParameters struct {
	Source  SourceParameter `json:"source"`
	Options map[string]any  `json:"options,omitempty"`
}

// SourceParameter is the source repository and the revision built.
type SourceParameter struct {
	URI      string `json:"uri,omitempty"`
	Revision string `json:"revision,omitempty"`
}

// ResourceDescriptor is an in-toto ResourceDescriptor v1.
type ResourceDescriptor struct {
	URI              string            `json:"uri,omitempty"`
	Digest           map[string]string `json:"digest,omitempty"`
	Name             string            `json:"name,omitempty"`
	DownloadLocation string            `json:"downloadLocation,omitempty"`
	MediaType        string            `json:"mediaType,omitempty"`
	Content          []byte            `json:"content,omitempty"`
	Annotations      map[string]any    `json:"annotations,omitempty"`
}

// RunDetails is who ran the build and how the run went.
type RunDetails struct {
	Builder    Builder              `json:"builder"`
	Metadata   *BuildMetadata       `json:"metadata,omitempty"`
	Byproducts []ResourceDescriptor `json:"byproducts,omitempty"`
}

// Builder is Slipway, at a version.
type Builder struct {
	ID                  string               `json:"id"`
	Version             map[string]string    `json:"version,omitempty"`
	BuilderDependencies []ResourceDescriptor `json:"builderDependencies,omitempty"`
}

// BuildMetadata is the run's id and times.
type BuildMetadata struct {
	InvocationID string     `json:"invocationId,omitempty"`
	StartedOn    *time.Time `json:"startedOn,omitempty"`
	FinishedOn   *time.Time `json:"finishedOn,omitempty"`
}

// Build is the facts the pipeline gathers about one published image.
type Build struct {
	// Image is the pushed repository (no tag) and its manifest or index
	// digest, "sha256:<hex>".
	Image  string
	Digest string
	// SourceURL and Revision are where the source came from; either may be
	// empty when the caller did not say.
	SourceURL string
	Revision  string
	// Options are the module options that shaped the image (see Options).
	Options map[string]any
	// BaseImages are the images the build started from, by digest.
	BaseImages []BaseImage
	// Version is Slipway's version; Versions may add others (e.g. dagger).
	Version  string
	Versions map[string]string
	// InvocationID identifies the run (e.g. a CI job URL); Started and
	// Finished bound it. Zero values are left out.
	InvocationID      string
	Started, Finished time.Time
	// CI is the ci stages that passed, in order.
	CI []Stage
}

// BaseImage is a base image as named and as resolved.
type BaseImage struct {
	Ref    string // as the plan names it, e.g. node:24-bookworm-slim
	Digest string // "sha256:<hex>"
}

// Stage is one passed ci stage: install, build, test, migrate, smoke.
type Stage struct {
	Name     string
	Duration time.Duration // 0: not measured
}

// Errors New returns; each is wrapped with the value at fault.
var (
	ErrNoImage  = errors.New("provenance: the image's repository is required")
	ErrDigest   = errors.New("provenance: a digest must be sha256:<64 hex digits>")
	ErrNoStages = errors.New("provenance: ci passed no stage: provenance is only written for an image that passed ci")
)

var sha256Re = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// New builds the Statement for b.
func New(b Build) (*Statement, error) {
	if b.Image == "" {
		return nil, ErrNoImage
	}
	subject, err := digestSet(b.Digest)
	if err != nil {
		return nil, fmt.Errorf("%w: image %s: %q", err, b.Image, b.Digest)
	}
	if len(b.CI) == 0 {
		return nil, ErrNoStages
	}
	deps, err := dependencies(b)
	if err != nil {
		return nil, err
	}
	versions := map[string]string{}
	for k, v := range b.Versions {
		versions[k] = v
	}
	if b.Version != "" {
		versions["slipway"] = b.Version
	}
	if len(versions) == 0 {
		versions = nil
	}
	return &Statement{
		Type:          StatementType,
		Subject:       []ResourceDescriptor{{Name: b.Image, Digest: subject}},
		PredicateType: PredicateType,
		Predicate: Provenance{
			BuildDefinition: BuildDefinition{
				BuildType: BuildType,
				ExternalParameters: ExternalParameters{
					Source:  SourceParameter{URI: b.SourceURL, Revision: b.Revision},
					Options: b.Options,
				},
				ResolvedDependencies: deps,
			},
			RunDetails: RunDetails{
				Builder:    Builder{ID: BuilderID, Version: versions},
				Metadata:   metadata(b),
				Byproducts: []ResourceDescriptor{ciResult(b.CI)},
			},
		},
	}, nil
}

// JSON is the whole Statement, indented.
func (s *Statement) JSON() ([]byte, error) { return json.MarshalIndent(s, "", "  ") }

// PredicateJSON is the predicate alone: what `cosign attest --predicate`
// takes; cosign writes the Statement around it for the digest it signs.
func (s *Statement) PredicateJSON() ([]byte, error) { return json.MarshalIndent(s.Predicate, "", "  ") }

// dependencies are the source at its commit, then the base images.
func dependencies(b Build) ([]ResourceDescriptor, error) {
	var deps []ResourceDescriptor
	if b.SourceURL != "" || b.Revision != "" {
		src := ResourceDescriptor{Name: "source", URI: SourceURI(b.SourceURL, b.Revision)}
		if isCommit(b.Revision) {
			src.Digest = map[string]string{"gitCommit": strings.ToLower(b.Revision)}
		}
		deps = append(deps, src)
	}
	for _, img := range b.BaseImages {
		d, err := digestSet(img.Digest)
		if err != nil {
			return nil, fmt.Errorf("%w: base image %s: %q", err, img.Ref, img.Digest)
		}
		deps = append(deps, ResourceDescriptor{Name: img.Ref, URI: ImageURI(img.Ref), Digest: d})
	}
	return deps, nil
}

func metadata(b Build) *BuildMetadata {
	m := &BuildMetadata{InvocationID: b.InvocationID}
	if !b.Started.IsZero() {
		t := b.Started.UTC()
		m.StartedOn = &t
	}
	if !b.Finished.IsZero() {
		t := b.Finished.UTC()
		m.FinishedOn = &t
	}
	if *m == (BuildMetadata{}) {
		return nil
	}
	return m
}

// ciResult is the ci run as a byproduct: the stages it passed, in order.
func ciResult(stages []Stage) ResourceDescriptor {
	var list []any
	var passed []string
	for _, s := range stages {
		st := map[string]any{"name": s.Name, "result": "passed"}
		if s.Duration > 0 {
			st["durationSeconds"] = s.Duration.Round(time.Millisecond).Seconds()
		}
		list = append(list, st)
		passed = append(passed, s.Name)
	}
	return ResourceDescriptor{
		Name:        "ci",
		MediaType:   CIMediaType,
		Annotations: map[string]any{"result": "passed", "passed": passed, "stages": list},
	}
}

func digestSet(d string) (map[string]string, error) {
	if !sha256Re.MatchString(d) {
		return nil, ErrDigest
	}
	return map[string]string{"sha256": strings.TrimPrefix(d, "sha256:")}, nil
}

var commitRe = regexp.MustCompile(`^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$`)

// isCommit is a full git object id (SHA-1 or SHA-256); a short one or a
// branch name is no digest.
func isCommit(rev string) bool { return commitRe.MatchString(rev) }

// SourceURI is the source as an SPDX-style VCS location:
// git+https://host/repo@revision.
func SourceURI(url, rev string) string {
	if url == "" {
		return ""
	}
	u := url
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "ssh://") {
		u = "git+" + u
	}
	if rev != "" {
		u += "@" + rev
	}
	return u
}

// ImageURI is a base image as an OCI package URL: the repository, fully
// qualified, and the tag it was named by (the digest goes in the digest
// set), e.g. pkg:oci/node?repository_url=docker.io/library/node&tag=24.
// A name that does not parse is kept as it is.
func ImageURI(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	repo := named.Name()
	u := "pkg:oci/" + path.Base(reference.Path(named)) + "?repository_url=" + repo
	if t, ok := named.(reference.Tagged); ok {
		u += "&tag=" + t.Tag()
	}
	return u
}
