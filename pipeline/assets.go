package pipeline

import (
	_ "embed"

	"github.com/slipwayhq/slipway/dockerfile"
	"github.com/slipwayhq/slipway/plan"
)

// Slipway's scripts, by the names the plan gives them.
var (
	//go:embed assets/healthcheck.cjs
	healthcheckJS string
	//go:embed assets/prisma-start.sh
	prismaStartSh string
	//go:embed assets/retarget.cjs
	retargetJS string
	//go:embed assets/rootfs.sh
	rootfsSh string
	//go:embed assets/strip-scripts.cjs
	stripScriptsJS string
	//go:embed assets/smoke.cjs
	smokeJS string

	assets = map[string]string{
		plan.AssetHealthcheck:  healthcheckJS,
		plan.AssetPrismaStart:  prismaStartSh,
		plan.AssetRetarget:     retargetJS,
		plan.AssetRootfs:       rootfsSh,
		plan.AssetStripScripts: stripScriptsJS,
	}

	// scripts are the same, for the Dockerfile's heredocs.
	scripts = dockerfile.Scripts{Healthcheck: healthcheckJS, PrismaStart: prismaStartSh, Rootfs: rootfsSh, StripScripts: stripScriptsJS}
)
