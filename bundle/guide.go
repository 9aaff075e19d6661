package bundle

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/names"
)

//go:embed deploy.md.tmpl
var guideSource string

var guideTemplate = template.Must(template.New(DeployGuide).Option("missingkey=error").Parse(guideSource))

// guideData is what deploy.md.tmpl sees.
type guideData struct {
	Name, Image, DBImage     string
	Port                     int
	HealthPath               string
	ComposeFile, EnvFile     string
	Template                 string
	DC                       string // docker compose with the file flags
	URLVars                  string // `DATABASE_URL`, or `A` and `B`
	ManyURLVars              bool
	DatabaseVars             []guideDBVar // with ManyURLVars: the table
	PooledVars, DirectVars   string       // run-time only; migrations'
	ManyDirectVars           bool
	MigrationURLEnv          string // SLIPWAY_DATABASE_URL_ENV, "" when unset
	ShadowVars               string
	ManyShadowVars           bool
	MigrationURLEnvVar       string
	Secrets, Credentials     []string
	Placeholders             map[string]string
	MigrateService           bool
	MigrateCommand           string
	Volume                   string
	PublishDB, ReadOnly      bool
	Generated                bool
	GenerateCommand          string
	AppImageVar, AppPortVar  string
	DBPortVar                string
	PostgresUser, PostgresDB string
	PostgresPassword         string
	ServiceApp, ServiceDB    string
	ServiceMigrate           string
}

// guideDBVar is one row of the database variables' table.
type guideDBVar struct {
	Name, Purpose string
}

func renderGuide(cs compose.Spec, es env.Spec, generated bool) ([]byte, error) {
	es = es.WithDefaults()
	d := guideData{
		Name:               cs.Name,
		Image:              cs.App.Image,
		DBImage:            cs.DB.Image,
		Port:               cs.App.Port,
		HealthPath:         cs.App.HealthPath,
		ComposeFile:        ComposeFile,
		EnvFile:            cs.EnvFile,
		Template:           EnvTemplate,
		DC:                 fmt.Sprintf("docker compose -f %s --env-file %s", ComposeFile, cs.EnvFile),
		URLVars:            env.JoinNames(es.DatabaseVars.Names(), "`"),
		ManyURLVars:        len(es.DatabaseVars.Names()) > 1,
		DirectVars:         env.JoinNames(es.DatabaseVars.MigrationNames(), "`"),
		ManyDirectVars:     len(es.DatabaseVars.MigrationNames()) > 1,
		ShadowVars:         env.JoinNames(es.DatabaseVars.ShadowNames(), "`"),
		ManyShadowVars:     len(es.DatabaseVars.ShadowNames()) > 1,
		MigrationURLEnvVar: names.DatabaseURLEnvVar,
		Placeholders:       map[string]string{},
		MigrateService:     !cs.App.MigrateOnStart,
		MigrateCommand:     strings.Join(cs.App.MigrateCommand, " "),
		Volume:             cs.Name + "_" + compose.VolumeData,
		PublishDB:          cs.DB.PublishPort,
		ReadOnly:           cs.App.ReadOnly,
		Generated:          generated,
		GenerateCommand:    env.GenerateCommand,
		AppImageVar:        env.AppImage,
		AppPortVar:         env.AppPort,
		DBPortVar:          env.DBPort,
		PostgresUser:       env.PostgresUser,
		PostgresDB:         env.PostgresDB,
		PostgresPassword:   env.PostgresPassword,
		ServiceApp:         compose.ServiceApp,
		ServiceDB:          compose.ServiceDB,
		ServiceMigrate:     compose.ServiceMigrate,
	}
	var pooled []string
	for _, v := range es.DatabaseVars.URLVars() {
		d.DatabaseVars = append(d.DatabaseVars, guideDBVar{Name: v.Name, Purpose: v.Purpose()})
		if v.Runtime && !v.Migrations {
			pooled = append(pooled, v.Name)
		}
	}
	d.PooledVars = env.JoinNames(pooled, "`")
	if u := cs.App.MigrationURLEnv(); u != env.DefaultDatabaseURLVar {
		d.MigrationURLEnv = u
	}
	for _, v := range es.Variables() {
		switch v.Kind {
		case env.Secret:
			d.Secrets = append(d.Secrets, v.Key)
			d.Placeholders[v.Key] = env.Placeholder(v.Key)
		case env.Credential:
			d.Credentials = append(d.Credentials, v.Key)
		}
	}
	var b bytes.Buffer
	if err := guideTemplate.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("bundle: render %s: %w", DeployGuide, err)
	}
	return b.Bytes(), nil
}
