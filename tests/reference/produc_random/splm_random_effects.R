# Random-effects spatial panels on Produc with R splm's spreml (ML), the reference of
# tests/spatial/models/test_random_effects_splm.py.
#
# splm is not packaged by Debian: install its source from the CRAN mirror on GitHub (cran/splm,
# version 1.6-5, commit 154febf), its dependencies (plm, maxLik, spdep, spatialreg, bdsmatrix, spam,
# nlme, stringr) from Debian's r-cran-* packages:
#   git clone https://github.com/cran/splm && R CMD INSTALL -l LIB splm
#   R_LIBS=LIB Rscript splm_random_effects.R   (run from this directory)
suppressPackageStartupMessages({library(splm); library(spdep); library(jsonlite)})
produc <- read.csv("../produc/produc.csv")
states <- read.csv("../produc/produc_states.csv")
produc$id <- states$id[match(produc$state, states$produc_state)]
produc <- produc[order(produc$year, produc$id), c("id", "year", setdiff(names(produc), c("id", "year")))]
nb <- read.gal("../produc_effects/us48_queen_produc.gal", region.id = 1:48)
lw <- nb2listw(nb, style = "W")
f <- log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp

se_of <- function(v) if (is.null(v)) NULL else as.list(setNames(sqrt(diag(as.matrix(v))), colnames(v)))
one <- function(lag, errors) {
  m <- spreml(f, data = produc, index = c("id", "year"), w = lw, lag = lag, errors = errors)
  list(coefficients = as.list(m$coefficients), std_errors = as.list(sqrt(diag(m$vcov))),
       arcoef = as.list(m$arcoef), arcoef_se = se_of(m$vcov.arcoef),
       errcomp = as.list(m$errcomp), errcomp_se = se_of(m$vcov.errcomp),
       loglik = m$logLik, sigma2 = m$sigma2)
}
out <- list(
  software = list(R = R.version.string, splm = as.character(packageVersion("splm")),
                  spdep = as.character(packageVersion("spdep"))),
  model = "log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp, queen contiguity (us48_queen_produc.gal), row-standardised",
  sar_re = one(TRUE, "re"),
  sem_re = one(FALSE, "semre")
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "splm_random_effects.json")
