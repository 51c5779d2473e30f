package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"validator/api"
)

// healthcheckCommand is `validator healthcheck`: GET /readyz of a running
// node, exit 0 when it is ready and 1 when it is not or does not answer. It
// exists for container HEALTHCHECKs and probes where no curl is installed
// (the image is FROM scratch).
func healthcheckCommand() *cli.Command {
	return command("healthcheck", "exit 0 if a running node is ready (/readyz), 1 if not",
		"GET /readyz of a running node's API and exit 0 when it is ready, 1 when it is not ready or does not answer,\n"+
			"printing why. For container HEALTHCHECKs and probes: the image has no shell or curl.\n"+
			"--api defaults to VALIDATOR_API_LISTEN, else api.listen's default; an unspecified host (0.0.0.0) means this machine.",
		"validator healthcheck --api 127.0.0.1:7400\nvalidator healthcheck --timeout 3s",
		cmdHealthcheck,
		apiFlag(),
		&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "give up after this `duration`"},
	)
}

// errNotReady: the node answered but is not ready.
var errNotReady = errors.New("not ready")

func cmdHealthcheck(cctx *cli.Context) error {
	ctx, cancel := context.WithTimeout(cctx.Context, cctx.Duration("timeout"))
	defer cancel()
	c := api.NewClient(apiAddr(cctx))
	defer c.Close()
	r, err := c.Ready(ctx)
	if err != nil {
		return fmt.Errorf("check readiness: %w", err)
	}
	if !r.Ready {
		why := strings.Join(r.Failing, "; ")
		if why == "" {
			why = "no reason given"
		}
		return fmt.Errorf("%w: %s (peers %d of %d needed; validator status --api %s says more)", errNotReady, why, r.Peers, r.MinPeers, apiAddr(cctx))
	}
	_, err = fmt.Fprintf(cctx.App.Writer, "ready: registry synced, %d peers\n", r.Peers)
	return err
}
