# blmpSDPD (R SDPDmod 0.0.6, from github.com/cran/SDPDmod, commit 9ffbe2e) on Columbus and Produc.
# Install: R CMD INSTALL -l LIB SDPDmod (deps plm, RSpectra, sf, sp, spdep, Matrix from Debian r-cran-*).
# Run from this folder: R_LIBS=LIB Rscript sdpdmod_blmp.R  -> sdpdmod_blmp.json
# Data and weights from ../produc and ../produc_effects, row-standardised (spdep nb2mat style "W").
suppressMessages({library(SDPDmod); library(spdep); library(jsonlite)})
models <- list("ols", "slx", "sar", "sdm", "sem", "sdem")
out <- list(software = list(R = R.version.string, SDPDmod = as.character(packageVersion("SDPDmod")),
                            spdep = as.character(packageVersion("spdep")), plm = as.character(packageVersion("plm"))))
run <- function(formula, data, W, index, effect) {
  r <- blmpSDPD(formula = formula, data = data, W = W, index = index, model = models, effect = effect)
  list(lmarginal = as.list(r$lmarginal), probs = as.list(r$probs))
}
# Columbus (a cross-section) is not run: blmpSDPD fits plm's within model first, which is empty
# with one period ("empty model"), so blmpSDPD needs T >= 2.
# Produc panel: ids 1..48 (alphabetical state names, as plm orders them)
pr <- read.csv("../produc/produc.csv")
st <- read.csv("../produc/produc_states.csv")
pr$id <- st$id[match(pr$state, st$produc_state)]
stopifnot(all(!is.na(pr$id)))
nbp <- read.gal("../produc_effects/us48_queen_produc.gal", region.id = 1:48)
Wp <- nb2mat(nbp, style = "W")
f <- log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp
for (effect in c("none", "individual", "time", "twoways")) {
  out[[paste0("produc_", effect)]] <- run(f, pr, Wp, c("id", "year"), effect)
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "sdpdmod_blmp.json")
