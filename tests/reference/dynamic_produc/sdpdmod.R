# SDPDmod (CRAN 0.0.6, R 4.2) on the same Produc panel and W as make_reference.py.
# Install: apt-get install r-cran-rspectra (plm, Matrix present); SDPDmod from its CRAN source
# (github.com/cran/SDPDmod, version 0.0.6) with R CMD INSTALL.
# Run from the repository root:  Rscript tests/reference/dynamic_produc/sdpdmod.R
# Writes sdpdmod.json beside this script.
suppressPackageStartupMessages({library(SDPDmod); library(jsonlite)})
here <- "tests/reference/dynamic_produc"
d <- read.csv("tests/reference/produc/produc.csv")
d <- d[order(d$state, d$year), ]
lines <- scan("tests/reference/produc_effects/us48_queen_produc.gal", what = integer(), quiet = TRUE)
n <- lines[1]; W <- matrix(0, n, n); pos <- 2
for (i in 1:n) { id <- lines[pos]; k <- lines[pos + 1]
  if (k > 0) W[id, lines[(pos + 2):(pos + 1 + k)]] <- 1
  pos <- pos + 2 + k }
W <- W / rowSums(W)
form <- log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp
out <- list(software = paste("SDPDmod", packageVersion("SDPDmod"), R.version.string))
for (eff in c("individual", "twoways")) {
  m <- SDPDm(formula = form, data = d, W = W, index = c("state", "year"), model = "sdm", effect = eff,
             dynamic = TRUE, tlaginfo = list(ind = NULL, tl = TRUE, stl = TRUE), LYtrans = TRUE)
  out[[paste0("sdm_both_", eff)]] <- list(
    uncorrected = c(m$coefficients, rho = unname(m$rho)), uncorrected_se = c(m$std, rho = unname(m$rho.se)),
    corrected = c(m$coefficients1, rho = unname(m$rho1)), corrected_se = c(m$std1, rho = unname(m$rho.se1)),
    sige1 = m$sige1, interval = m$interval)
}
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "sdpdmod.json"))
