package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/handlers"
	"github.com/council-exam/examd/officials"
	"github.com/council-exam/examd/receipts"
)

const usage = `usage: examd COMMAND [flags]

commands:
  serve [--addr HOST:PORT] [--dev] [--migrate]   serve the API and pages
  migrate [up|status]                            apply or list migrations
  seed-demo                                      load demo constituencies, rules, question bank, exam and logins
  official create --username U --password P --role admin|reviewer [--name NAME]
  official disable --username U                  disable an official and end their sessions
  audit verify                                   walk the audit log's hash chain
  rescore --exam ID                              score every finished attempt of an exam again
  receipt verify [--public-key BASE64] RECEIPT   check a receipt's signature (offline with --public-key)

The database comes from DATABASE_URL; see the README for every setting.`

// run is the whole program: it reads the configuration from getenv, runs the
// command in args and returns what went wrong, if anything.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logOut := newLogWriter(stderr)
	defer logOut.Close()
	log := slog.New(flushingHandler{slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel}), logOut})
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, args[1:], log, stdout)
	case "migrate":
		return migrate(ctx, cfg, args[1:], stdout)
	case "seed-demo":
		return seedDemo(ctx, cfg, stdout)
	case "official":
		return officialCommand(ctx, cfg, args[1:], stdout)
	case "audit":
		return auditCommand(ctx, cfg, args[1:], stdout)
	case "rescore":
		return rescoreCommand(ctx, cfg, args[1:], stdout)
	case "receipt":
		return receiptCommand(ctx, cfg, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func openDB(ctx context.Context, cfg config) (*sqlx.DB, error) {
	return database.Open(ctx, cfg.DatabaseURL, database.PoolConfig{
		MaxOpen:     cfg.DBMaxOpen,
		MaxIdle:     cfg.DBMaxIdle,
		MaxLifetime: 30 * time.Minute,
	})
}

func migrate(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	sub := "up"
	if len(args) > 0 {
		sub = args[0]
	}
	if sub != "up" && sub != "status" {
		return fmt.Errorf("migrate: unknown subcommand %q (want up or status)", sub)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "status" {
		st, err := database.Status(ctx, db)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%05d  %-40s %s\n", s.Version, s.Name, state)
		}
		return nil
	}
	applied, err := database.Migrate(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied: %d\n", len(applied))
	return nil
}

func seedDemo(ctx context.Context, cfg config, stdout io.Writer) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if pending, err := database.HasPending(ctx, db); err != nil {
		return err
	} else if pending {
		return errors.New("seed-demo: the database schema is out of date; run `examd migrate up` first")
	}
	if err := candidates.SeedDemo(ctx, db, cfg.ElectionDate); err != nil {
		return err
	}
	if err := (&exam.Store{DB: db}).SeedDemo(ctx); err != nil {
		return err
	}
	offStore := &officials.Store{DB: db, Sessions: &auth.Sessions{DB: db, Idle: cfg.SessionIdle, MaxAge: cfg.SessionMaxAge}}
	for _, o := range demoOfficials {
		if _, err := offStore.ByUsername(ctx, o.Username); err == nil {
			continue
		}
		if _, err := offStore.Create(ctx, audit.System, o); err != nil && !errors.Is(err, officials.ErrUsernameTaken) {
			return err
		}
	}
	fmt.Fprintln(stdout, "demo data loaded: constituencies of Tehran province, the 1400 eligibility rules, a Persian question bank, an open demo exam, demo logins")
	return nil
}

func serve(ctx context.Context, cfg config, args []string, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", cfg.Addr, "listen address HOST:PORT")
	dev := fs.Bool("dev", cfg.Dev, "dev mode: session cookies over plain HTTP")
	doMigrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := checkAddr(*addr); err != nil {
		return fmt.Errorf("serve: --addr: %w", err)
	}
	tuneGC(cfg.SetGCPercent, cfg.SetMemLimit, cgroupMemoryMax, log)

	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if *doMigrate {
		if _, err := database.Migrate(ctx, db); err != nil {
			return err
		}
	} else if pending, err := database.HasPending(ctx, db); err != nil {
		return err
	} else if pending {
		return errors.New("serve: the database schema is out of date; run `examd migrate up` or start with --migrate")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.DB, "examd"),
	)
	// Group commit for saves and batched session lookups: requests that arrive
	// together share a statement. Stopped after the server has drained.
	batchCtx, stopBatching := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBatching()
	sessions := &auth.Sessions{DB: db, Idle: cfg.SessionIdle, MaxAge: cfg.SessionMaxAge}
	sessions.StartBatching(batchCtx, cfg.SaveWorkers, cfg.SaveBatch)
	throttle := &auth.Throttle{DB: db, MaxAccount: cfg.LoginMaxAccount, MaxIP: cfg.LoginMaxIP, Window: cfg.LoginWindow}
	receiptKey, err := receipts.LoadKey(ctx, db, cfg.ReceiptKey, cfg.ReceiptKeyFile)
	if err != nil {
		return err
	}
	exams := &exam.Store{DB: db, Receipts: receipts.NewSigner(receiptKey), Cache: &exam.Cache{}, Sessions: sessions}
	exams.StartBatching(batchCtx, cfg.SaveWorkers, cfg.SaveBatch)
	exams.BatchStarts(batchCtx, cfg.SaveWorkers, cfg.SaveBatch)
	candStore := &candidates.Store{DB: db}
	offStore := &officials.Store{DB: db, Sessions: sessions}
	router, err := handlers.New(handlers.Deps{
		Logger:         log,
		DB:             db,
		Candidates:     candidates.NewService(candStore, cfg.ElectionDate),
		CandidateStore: candStore,
		Sessions:       sessions,
		Throttle:       throttle,
		Officials:      offStore,
		Exams:          exams,
		Attempts:       exams,
		Review:         exams,
		ReceiptKey:     receiptKey.Public().(ed25519.PublicKey),
		Audit:          &audit.Log{DB: db},
		Registry:       reg,
		Dev:            *dev,
		SessionMaxAge:  cfg.SessionMaxAge,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		TrustedProxies: cfg.TrustedProxies,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	// No TCP keep-alive probes on accepted connections: the server's timeouts
	// below already close an idle or stalled connection, and setting the probes
	// up took four setsockopt calls per connection (40,000 in a 10,000 start
	// storm, on the cores the starts need).
	ln, err := (&net.ListenConfig{KeepAlive: -1}).Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + displayAddr(ln.Addr())
	log.Info("serving", slog.String("url", url), slog.Bool("dev", *dev))
	fmt.Fprintf(stdout, "examd: serving on %s\n", url)

	if cfg.DebugAddr != "" {
		stopDebug, err := serveDebug(cfg.DebugAddr, log)
		if err != nil {
			return fmt.Errorf("serve: debug listener: %w", err)
		}
		defer stopDebug()
	}

	janitorCtx, stopJanitor := context.WithCancel(ctx)
	defer stopJanitor()
	go janitor(janitorCtx, log, sessions, throttle)
	go sweeper(janitorCtx, log, exams, cfg.SweepInterval)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// In-flight requests finish; new connections are refused.
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// displayAddr turns a wildcard listen address into one a person can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// serveDebug serves the pprof profiles on their own listener, opt-in, never on
// the public address.
func serveDebug(addr string, log *slog.Logger) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("pprof listening", slog.String("addr", ln.Addr().String()))
	return func() { _ = srv.Close() }, nil
}

// sweeper finishes expired attempts as timeouts. Every instance runs one; SKIP
// LOCKED keeps them from finishing an attempt twice.
func sweeper(ctx context.Context, log *slog.Logger, exams *exam.Store, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			n, err := exams.SweepExpired(ctx, 200)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("sweep expired attempts", slog.Any("err", err))
				}
				break
			}
			if n > 0 {
				log.Info("finished expired attempts", slog.Int("count", n))
			}
			if n < 200 {
				break
			}
		}
	}
}

// janitor deletes ended sessions and old login failures once a minute.
func janitor(ctx context.Context, log *slog.Logger, sessions *auth.Sessions, throttle *auth.Throttle) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := sessions.Purge(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purge sessions", slog.Any("err", err))
		}
		if _, err := throttle.Purge(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purge login failures", slog.Any("err", err))
		}
	}
}
