# A consumer package of MxGPUKit, as the benchmarks build one: sourced by compile-time.sh,
# consumer-cost/run.sh and plugin-subset/run.sh, with `root` set to MxGPUKit's folder.
kit="$(basename "$root")"

# consumer_package FOLDER DEPENDENCIES IMPORTS [MORE]: a package in FOLDER that depends on
# MxGPUKit by path, whose one target `Consumer` has DEPENDENCIES (see `products`) and MORE of its
# arguments (", plugins: […]"), and one source file of IMPORTS (words: "import A import B").
consumer_package() {
  local folder="$1" dependencies="$2" imports="$3" more="${4:-}"
  mkdir -p "$folder/Sources/Consumer"
  cat > "$folder/Package.swift" <<MANIFEST
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
  name: "Consumer",
  dependencies: [.package(path: "$root")],
  targets: [
    .target(name: "Consumer", dependencies: [$dependencies]$more)
  ]
)
MANIFEST
  # shellcheck disable=SC2086
  printf 'import %s\n' $(printf '%s\n' $imports | grep -v '^import$') > "$folder/Sources/Consumer/Consumer.swift"
}

# products NAME...: the target dependencies on MxGPUKit's products NAME….
products() { for p in "$@"; do printf '.product(name: "%s", package: "%s"), ' "$p" "$kit"; done; }

# The build plugin, as a target's MORE argument.
plugin=", plugins: [.plugin(name: \"MxGPUKitPlugin\", package: \"$kit\")]"
