# splm's spgm (GM/IV spatial panels) on Produc: the reference of the panel GMM estimators.
#
# Install splm from its public source (CRAN mirror on GitHub), beside R 4.2 with plm, spdep,
# spatialreg, bdsmatrix, maxLik, spam, stringr (Debian r-cran-* packages):
#   git clone https://github.com/cran/splm && R CMD INSTALL -l /tmp/gmm_r/lib splm      (version 1.6-5)
# Run from the repository root:
#   R_LIBS=/tmp/gmm_r/lib Rscript tests/reference/produc_gmm/make_fixture.R
# Writes tests/reference/produc_gmm/expected.json.
#
# Data: ../produc/produc.csv (Munnell's Produc, 48 states x 1970-1986) with the ids of
# ../produc/produc_states.csv and ../produc_effects/us48_queen_produc.gal (queen, row-standardised).
# Model log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp; the endogenous case instruments
# log(emp) by log(hwy) and log(water).
suppressPackageStartupMessages({library(splm); library(spdep); library(plm); library(jsonlite)})

here <- "tests/reference"
produc <- read.csv(file.path(here, "produc", "produc.csv"))
states <- read.csv(file.path(here, "produc", "produc_states.csv"))
produc$id <- states$id[match(produc$state, states$produc_state)]
produc <- produc[order(produc$id, produc$year), c("id", "year", setdiff(names(produc), c("id", "year")))]
nb <- read.gal(file.path(here, "produc_effects", "us48_queen_produc.gal"), region.id = 1:48)
lw <- nb2listw(nb, style = "W")

f <- log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp
f_ex <- log(gsp) ~ log(pcap) + log(pc) + unemp

pack <- function(fit, call) {
  co <- coef(fit)
  v <- as.matrix(fit$vcov)
  out <- list(call = call, names = names(co), estimates = unname(co), cov = unname(v),
              std_errors = unname(sqrt(diag(v))))
  if (!is.null(fit$errcomp)) out$errcomp <- as.list(setNames(as.numeric(fit$errcomp), rownames(fit$errcomp)))
  if (!is.null(fit$rho)) out$rho_table <- as.numeric(fit$rho)
  out
}

cases <- list()
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = TRUE,
            spatial.error = FALSE)
cases$within_lag <- pack(fit, "spgm(model='within', lag=TRUE, spatial.error=FALSE)")
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = FALSE,
            spatial.error = TRUE)
cases$within_error <- pack(fit, "spgm(model='within', lag=FALSE, spatial.error=TRUE)")
fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = TRUE,
            spatial.error = FALSE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water),
            lag.instruments = TRUE)
cases$within_lag_endog <- pack(fit, "spgm(model='within', lag=TRUE, spatial.error=FALSE, endog=~log(emp), instruments=~log(hwy)+log(water), lag.instruments=TRUE)")
fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = FALSE,
            spatial.error = TRUE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water))
cases$within_error_endog <- pack(fit, "spgm(model='within', lag=FALSE, spatial.error=TRUE, endog=~log(emp), instruments=~log(hwy)+log(water))")

fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = TRUE,
            spatial.error = FALSE, Durbin = TRUE)
cases$within_durbin_lag <- pack(fit, "spgm(model='within', lag=TRUE, spatial.error=FALSE, Durbin=TRUE)")
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = FALSE,
            spatial.error = TRUE, Durbin = TRUE)
cases$within_durbin_error <- pack(fit, "spgm(model='within', lag=FALSE, spatial.error=TRUE, Durbin=TRUE)")

# Random effects, lag model: EC2SLS (spgm's default method for model="random", ivplm.ec2sls). The endogenous
# case lags the external instruments (lag.instruments=TRUE), as our GMM always does.
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = TRUE,
            spatial.error = FALSE)
cases$random_lag <- c(pack(fit, "spgm(model='random', lag=TRUE, spatial.error=FALSE)"),
                      list(sigma_v2 = fit$sigmav, sigma_1_2 = fit$sigma1))
fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = TRUE,
            spatial.error = FALSE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water),
            lag.instruments = TRUE)
cases$random_lag_endog <- pack(fit, "spgm(model='random', lag=TRUE, spatial.error=FALSE, endog=~log(emp), instruments=~log(hwy)+log(water), lag.instruments=TRUE)")
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = TRUE,
            spatial.error = FALSE, Durbin = TRUE)
cases$random_durbin_lag <- c(pack(fit, "spgm(model='random', lag=TRUE, spatial.error=FALSE, Durbin=TRUE)"),
                             list(sigma_v2 = fit$sigmav, sigma_1_2 = fit$sigma1))
# Random effects, error model: KKP's moments, moments = "initial" (the default), then feasible GLS.
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = FALSE,
            spatial.error = TRUE)
cases$random_error <- pack(fit, "spgm(model='random', lag=FALSE, spatial.error=TRUE)")
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = FALSE,
            spatial.error = TRUE, Durbin = TRUE)
cases$random_durbin_error <- pack(fit, "spgm(model='random', lag=FALSE, spatial.error=TRUE, Durbin=TRUE)")

# Random effects, error model, KKP's weighted second step over all six moments: "weights" (Gamma from the
# initial sigma_v^2 and sigma_1^2) and "fullweights" (with the trace matrix TW of W).
for (m in c("weights", "fullweights")) {
  fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = FALSE,
              spatial.error = TRUE, moments = m)
  cases[[paste0("random_error_", m)]] <- pack(fit, sprintf("spgm(model='random', lag=FALSE, spatial.error=TRUE, moments='%s')", m))
  fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = FALSE,
              spatial.error = TRUE, Durbin = TRUE, moments = m)
  cases[[paste0("random_durbin_error_", m)]] <- pack(fit, sprintf("spgm(model='random', lag=FALSE, spatial.error=TRUE, Durbin=TRUE, moments='%s')", m))
}
# splm's nlminb stops at its starting point in the "weights" step (the parameters differ by orders of magnitude
# and nlminb is not given a scale): its objective there is 0.0877 against 0.0872 at the minimum. The same splm code
# (sperrorgm) with nlminb given the scale 1/|par| and restarted until it no longer moves is the reference for
# these cases ("_converged"); splm as it is stays beside it.
converged <- function(fun) {
  env <- new.env(parent = asNamespace("splm"))
  env$nlminb <- function(start, objective, ..., control = list(), lower = -Inf, upper = Inf) {
    best <- NULL
    par <- start
    for (i in 1:20) {
      o <- stats::nlminb(par, objective, ..., scale = 1 / pmax(abs(par), 1e-8), lower = lower, upper = upper,
                         control = list(rel.tol = 1e-15, x.tol = 1e-12, iter.max = 10000, eval.max = 20000))
      done <- !is.null(best) && abs(best$objective - o$objective) <= 1e-15 * abs(o$objective) &&
        max(abs(o$par - best$par) / pmax(abs(o$par), 1e-12)) < 1e-12
      best <- o
      par <- o$par
      if (done) break
    }
    best
  }
  environment(fun) <- env
  fun
}
sperrorgm_converged <- converged(splm:::sperrorgm)
for (dur in c(FALSE, TRUE)) {
  fit <- sperrorgm_converged(f, data = produc, index = c("id", "year"), listw = splm:::listw2dgCMatrix(lw),
                             moments = "weights", endog = NULL, instruments = NULL, verbose = FALSE,
                             effects = "random", control = list(), lag.instruments = FALSE, optim.method = "nlminb",
                             pars = NULL, Durbin = dur)
  name <- if (dur) "random_durbin_error_weights_converged" else "random_error_weights_converged"
  cases[[name]] <- pack(fit, sprintf("splm:::sperrorgm(effects='random', moments='weights', Durbin=%s) with nlminb scaled and restarted to convergence", dur))
}
# Random effects, error model with an endogenous regressor (within and between 2SLS residuals; instruments not
# lagged, as in the within error case).
for (m in c("initial", "weights", "fullweights")) {
  fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = FALSE,
              spatial.error = TRUE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water), moments = m)
  cases[[paste0("random_error_endog_", m)]] <- pack(fit, sprintf("spgm(model='random', lag=FALSE, spatial.error=TRUE, endog=~log(emp), instruments=~log(hwy)+log(water), moments='%s')", m))
}
# SARAR (lag = TRUE, spatial.error = TRUE): within, and random effects for the three moment sets.
fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = TRUE,
            spatial.error = TRUE)
cases$within_sarar <- pack(fit, "spgm(model='within', lag=TRUE, spatial.error=TRUE)")
fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = "within", lag = TRUE,
            spatial.error = TRUE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water), lag.instruments = TRUE)
cases$within_sarar_endog <- pack(fit, "spgm(model='within', lag=TRUE, spatial.error=TRUE, endog=~log(emp), instruments=~log(hwy)+log(water), lag.instruments=TRUE)")
for (m in c("initial", "weights", "fullweights")) {
  fit <- spgm(f, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = TRUE,
              spatial.error = TRUE, moments = m)
  cases[[paste0("random_sarar_", m)]] <- pack(fit, sprintf("spgm(model='random', lag=TRUE, spatial.error=TRUE, moments='%s')", m))
}
fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = "random", lag = TRUE,
            spatial.error = TRUE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water), lag.instruments = TRUE)
cases$random_sarar_endog <- pack(fit, "spgm(model='random', lag=TRUE, spatial.error=TRUE, endog=~log(emp), instruments=~log(hwy)+log(water), lag.instruments=TRUE)")

# "weights" stalls in spsarargm too (lambda 0.325480 as is, the initial value): the converged rerun.
lw_m <- splm:::listw2dgCMatrix(lw)
fit <- converged(splm:::spsarargm)(f, data = produc, index = c("id", "year"), listw = lw_m, listw2 = lw_m,
                                   moments = "weights", lag = TRUE, endog = NULL, instruments = NULL,
                                   verbose = FALSE, effects = "random", control = list(), lag.instruments = FALSE,
                                   optim.method = "nlminb", pars = NULL, twow = FALSE, Durbin = FALSE)
cases$random_sarar_weights_converged <- pack(fit, "splm:::spsarargm(effects='random', moments='weights') with nlminb scaled and restarted to convergence")

# Durbin lag models with an endogenous regressor (lag.instruments = TRUE): splm's instruments span
# [X, W X, W^2 X, W^3 X, Q, W Q, W^2 Q] (W X is a regressor, so X is lagged from W (W X); Q from W Q).
for (m in c("within", "random")) {
  fit <- spgm(f_ex, data = produc, index = c("id", "year"), listw = lw, model = m, lag = TRUE,
              spatial.error = FALSE, endog = ~ log(emp), instruments = ~ log(hwy) + log(water),
              lag.instruments = TRUE, Durbin = TRUE)
  cases[[paste0(m, "_durbin_lag_endog")]] <- pack(fit, sprintf("spgm(model='%s', lag=TRUE, spatial.error=FALSE, endog=~log(emp), instruments=~log(hwy)+log(water), lag.instruments=TRUE, Durbin=TRUE)", m))
}

out <- list(software = paste0("R ", R.version$major, ".", R.version$minor, ", splm ", packageVersion("splm"),
                              ", spdep ", packageVersion("spdep"), ", plm ", packageVersion("plm")),
            script = "tests/reference/produc_gmm/make_fixture.R", cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "produc_gmm", "expected.json"))
