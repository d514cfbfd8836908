"""Every user-visible message of the emulator, in one place.

Tests compare against these constants, so a wording change is made here once. Texts that reproduce
a documented or observed string say where it comes from; the rest are the emulator's own words.
Templates use ``str.format`` fields.
"""

# --- Google front end (design §3.1) -------------------------------------------------------------

# Google's 404 page; the template is the captured front-end page (connect-gateway-facts.md §5.5).
GFE_404_TEMPLATE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 404 (Not Found)!!1</title>
  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>
  <p><b>404.</b> <ins>That\u2019s an error.</ins>
  <p>The requested URL <code>{path}</code> was not found on this server.  <ins>That\u2019s all we know.</ins>
"""

GFE_400_TEMPLATE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 400 (Bad Request)!!1</title>
  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>
  <p><b>400.</b> <ins>That\u2019s an error.</ins>
  <p>Your client has issued a malformed or illegal request.  <ins>That\u2019s all we know.</ins>
"""

GFE_500_PAGE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 500 (Server Error)!!1</title>
  <p><b>500.</b> <ins>That\u2019s an error.</ins>
  <p>There was an error. Please try again later.  <ins>That\u2019s all we know.</ins>
"""

# --- Gateway decisions rendered as Kubernetes Status (design §3.3, §4) ---------------------------

# Google's wording for a missing/invalid OAuth token; kubectl prints it after
# "error: You must be logged in to the server (...)".
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
TOKEN_EXPIRED = "Request had invalid authentication credentials. The access token has expired."

# connect-gateway-using.en.md §10 (rendered from the Japanese page).
NO_ACTIVE_CONNECTION = (
    "No active connection found for cluster (project: {project_number}, membership: {membership})"
)

# --- Connect Agent -----------------------------------------------------------------------------

AGENT_SERVICE_ACCOUNT = "system:serviceaccount:gke-connect:connect-agent-sa"

# --- Kubernetes apiserver (mock) -----------------------------------------------------------------
# These reproduce kube-apiserver's own texts so that kubectl prints what it prints against a real
# cluster.

K8S_NOT_FOUND = '{resource} "{name}" not found'
K8S_ALREADY_EXISTS = '{resource} "{name}" already exists'
K8S_CONFLICT = (
    'Operation cannot be fulfilled on {resource} "{name}": the object has been modified; '
    "please apply your changes to the latest version and try again"
)
# apierrors.NewConflict with its cause; the namespace storage's cause for a second delete while
# the namespace controller still holds spec.finalizers (two spaces after the first sentence).
K8S_CONFLICT_DETAIL = 'Operation cannot be fulfilled on {resource} "{name}": {detail}'
K8S_NAMESPACE_FINALIZING = (
    "The system is ensuring all content is removed from this namespace.  Upon completion, this "
    "namespace will automatically be purged by the system."
)
K8S_PATH_NOT_FOUND = "the server could not find the requested resource"
K8S_METHOD_NOT_ALLOWED = "the server does not allow this method on the requested resource"
K8S_UNAUTHORIZED = "Unauthorized"
K8S_NAMESPACE_NOT_FOUND = 'namespaces "{namespace}" not found'
K8S_NAMESPACE_TERMINATING_DEFAULT = 'namespace "{namespace}" is protected and cannot be deleted'
K8S_NAME_REQUIRED = "name or generateName is required"
K8S_NAME_MISMATCH = "the name of the object ({body_name}) does not match the name on the URL ({url_name})"
K8S_NAMESPACE_MISMATCH = (
    "the namespace of the provided object does not match the namespace sent on the request"
)
K8S_KIND_MISMATCH = "the API version in the data ({got}) does not match the expected API version ({want})"
K8S_DECODE_ERROR = "couldn't get version/kind; json parse error: {detail}"
K8S_BODY_NOT_OBJECT = "the body of the request was not a JSON object: {detail}"
# apierrors.NewRequestEntityTooLargeError, as limitedReadBody words it (413).
K8S_REQUEST_TOO_LARGE = "Request entity too large: limit is {limit}"
# field.TooLong on a ConfigMap ("[]") or a Secret ("data"), in an Invalid Status (422).
K8S_TOO_LONG = '{kind} "{name}" is invalid: {field}: {cause}'
K8S_TOO_LONG_CAUSE = "Too long: must have at most {limit} bytes"
# apimachinery's field.TooLong from Kubernetes 1.32 (v0.32.0) on; 1.31 and older say the above.
K8S_TOO_LONG_CAUSE_1_32 = "Too long: may not be more than {limit} bytes"
# encoding/json on a number no float64 holds (1e999).
K8S_NUMBER_OUT_OF_RANGE = "json: cannot unmarshal number {number} into Go value of type float64"
K8S_UNSUPPORTED_MEDIA_TYPE = (
    "the body of the request was in an unknown format - accepted media types include: {accepted}"
)
K8S_SERVER_SIDE_APPLY_UNSUPPORTED = (
    "server-side apply (application/apply-patch+yaml) of pods/ephemeralcontainers is not supported "
    "by connect-gateway-emulator's mock apiserver; kubectl debug sends a strategic merge patch, "
    "which is"
)
K8S_PATCH_FAILED = "the patch could not be applied: {detail}"
K8S_INVALID_CONTINUE = "continue key is not valid: {detail}"
K8S_EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start "
    "a new list without the continue parameter."
)
K8S_TOO_OLD_RESOURCE_VERSION = "too old resource version: {requested} ({oldest})"
K8S_UNSUPPORTED_PARAMETER = (
    "connect-gateway-emulator's mock apiserver does not support the query parameter {name}={value!r}"
)
K8S_INVALID_INTEGER = "{name}: Invalid value: {value!r}: must be a non-negative integer"
# Server-side field validation (sigs.k8s.io/json's wording; the paths come quoted as Go quotes).
K8S_UNKNOWN_FIELD = "unknown field {path}"
K8S_DUPLICATE_FIELD = "duplicate field {path}"
K8S_JSON_PATCH_PROBLEM = "json patch {problem}"
K8S_STRICT_DECODING = "strict decoding error: {problems}"
# A create or update body that fails strict decoding (kube's transformDecodeError).
K8S_CANNOT_HANDLE = '{kind} in version "{version}" cannot be handled as a {want}: {detail}'
K8S_GO_UNMARSHAL_TYPE = "json: cannot unmarshal {value} into Go struct field {struct}.{field} of type {type}"
# The same outside any struct (Go's UnmarshalTypeError without a field).
K8S_GO_UNMARSHAL_VALUE = "json: cannot unmarshal {value} into Go value of type {type}"
# A []byte field's string that is not base64 (Go's base64.CorruptInputError).
K8S_GO_BASE64 = "illegal base64 data at input byte {offset}"
# resource.Quantity's parse errors (apimachinery's ErrFormatWrong and ErrSuffix).
K8S_QUANTITY_FORMAT = ("quantities must match the regular expression "
                       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
K8S_QUANTITY_SUFFIX = "unable to parse quantity's suffix"
# Go's time.Parse errors (time.ParseError), for a Time or MicroTime that is no RFC 3339 time.
# apimachinery's unstructured converter (a strategic merge patch's result into its Go struct).
K8S_CONVERT_RESTORE = "cannot restore {what} from {kind}"
K8S_CONVERT_STRUCT = "cannot restore struct from: {kind}"
K8S_CONVERT_CANNOT = "cannot convert {source} to {type}"
K8S_CONVERT_UNRECOGNIZED = "unrecognized type: {kind}"
K8S_CONVERT_JSON = "error decoding from json: {detail}"
GO_TIME_CANNOT_PARSE = 'parsing time {value} as {layout}: cannot parse {rest} as {element}'
GO_TIME_EXTRA_TEXT = "parsing time {value}: extra text: {rest}"
GO_TIME_OUT_OF_RANGE = "parsing time {value}: {what} out of range"
# The scale subresource (autoscaling/v1 Scale).
K8S_SCALE_NEGATIVE = "Invalid value: {replicas}: must be greater than or equal to 0"
K8S_SCALE_INVALID = 'Scale.autoscaling "{name}" is invalid: spec.replicas: {detail}'
K8S_INVALID_FIELD_VALIDATION = (
    'fieldValidation: Invalid value: "{value}": fieldValidation must be one of "Ignore", "Warn", or "Strict"'
)
K8S_INVALID_DRY_RUN = 'dryRun: Unsupported value: "{value}": supported values: "All"'
K8S_REQUIRED_VALUE = "{kind}.{group} \"{name}\" is invalid: {field}: Required value"
K8S_INVALID_VALUE = '{kind} "{name}" is invalid: {field}: Invalid value: {value}: {detail}'
K8S_IMMUTABLE_FIELD = "{kind} \"{name}\" is invalid: {field}: Invalid value: {value}: field is immutable"

# What an update may not change (ValidatePodUpdate, and the strategies' ValidateUpdate of the other
# kinds: registry/podupdate.py, registry/updatechecks.py).
K8S_POD_UPDATABLE_FIELDS = (
    "`spec.containers[*].image`", "`spec.initContainers[*].image`", "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
K8S_POD_UPDATE_FORBIDDEN = "pod updates may not change fields other than {fields}\n{diff}"
K8S_POD_UPDATE_CONTAINER_COUNT = "pod updates may not add or remove containers"
K8S_IMAGE_WHITESPACE = "must not have leading or trailing whitespace"
K8S_INCLUSIVE_RANGE = "must be between {low} and {high}, inclusive"
K8S_DEADLINE_RAISED = "must be less than or equal to previous value"
K8S_DEADLINE_UNSET = "must not update from a positive integer to nil value"
K8S_TOLERATION_CHANGED = "existing toleration can not be modified except its tolerationSeconds"
K8S_SCHEDULING_GATE_ADDED = "only deletion is allowed, but found new scheduling gate '{gate}'"
K8S_POD_QOS_IMMUTABLE = "Pod QoS is immutable"
K8S_NODE_SELECTOR_MUTATED = (
    "only additions to spec.nodeSelector are allowed (no mutations or deletions)")
K8S_NODE_TERMS_COUNT_CHANGED = (
    "no additions/deletions to non-empty NodeSelectorTerms list are allowed")
K8S_NODE_TERM_MUTATED = "only additions are allowed (no mutations or deletions)"
K8S_STATEFUL_SET_UPDATE = (
    "updates to statefulset spec for fields other than {fields} and {last} are forbidden")
K8S_COMPLETIONS_WITH_PARALLELISM = "can only be modified in tandem with spec.parallelism"
K8S_ROLE_REF_CHANGED = "cannot change roleRef"
K8S_IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set"
K8S_CHANGED_ONCE_SET = "may not change once set"  # a Service's cluster IPs, its LB class
K8S_SERVICE_HEALTH_PORT_IMMUTABLE = "field is immutable"

# A Service's validation (ValidateService: registry/servicechecks.py).
K8S_SERVICE_KUBELET_PORT = "may not expose port {port} externally since it is used by kubelet"
K8S_SERVICE_HEADLESS_TYPE = "may not be set to 'None' for {type} services"
K8S_SERVICE_EXTERNAL_NAME_FIELD = "may not be set for ExternalName services"
K8S_SERVICE_TOPOLOGY_MODE = "must match annotations[{annotation}] when both are specified"
K8S_SERVICE_AFFINITY_CONFIG_REQUIRED = "when session affinity type is ClientIP"
K8S_SERVICE_AFFINITY_TIMEOUT = "must be greater than 0 and less than {limit}"
K8S_SERVICE_AFFINITY_CONFIG_FORBIDDEN = "must not be set when session affinity is None"
K8S_SERVICE_NODE_PORT_ON_CLUSTER_IP = "may not be used when `type` is 'ClusterIP'"
K8S_SERVICE_LOAD_BALANCER_ONLY = "may only be used when `type` is 'LoadBalancer'"
K8S_SERVICE_SOURCE_RANGES_1_29 = (
    "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 ")
K8S_VALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
K8S_VALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
K8S_IP_UNSPECIFIED = "may not be unspecified ({ip})"
K8S_IP_LOOPBACK = "may not be in the loopback range (127.0.0.0/8, ::1/128)"
K8S_IP_LINK_LOCAL = "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
K8S_IP_LINK_LOCAL_MULTICAST = (
    "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
K8S_SERVICE_TRAFFIC_POLICY_1_28 = "may only be set when `type` is 'NodePort' or 'LoadBalancer'"
K8S_SERVICE_TRAFFIC_POLICY = "may only be set for externally-accessible services"
K8S_SERVICE_HEALTH_PORT_UNNEEDED = (
    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'")
K8S_CLUSTER_IP_FIRST = "first value must match `clusterIP`"
K8S_CLUSTER_IPS_WITHOUT_IP = "must be empty when `clusterIP` is not specified"
K8S_CLUSTER_IP_NONE_ALONE = "'None' must be the first and only value"
K8S_CLUSTER_IPS_AT_MOST_TWO = "may only hold up to 2 values"
K8S_CLUSTER_IPS_ONE_PER_FAMILY = "may specify no more than one IP for each IP family"
K8S_CLUSTER_IP_FAMILY = "expected an {family} value as indicated by `ipFamilies[{index}]`"
K8S_CLUSTER_IP_UNSET = "primary clusterIP can not be unset"
K8S_CLUSTER_IP_RELEASE_POLICY = (
    "must be set to 'SingleStack' when releasing the secondary clusterIP")

# kube's service allocator (pkg/registry/core/service/storage/alloc.go, portallocator,
# ipallocator): the IP families of a single-stack IPv4 cluster, cluster IPs and node ports.
K8S_FAMILY_NOT_CONFIGURED = "{family} is not configured on this cluster"
K8S_FAMILY_NOT_ON_CLUSTER = "not configured on this cluster"
K8S_NOT_DUAL_STACK_CLUSTER = "this cluster is not configured for dual-stack services"
K8S_DUAL_STACK_POLICY_NEEDED = (
    "must be 'RequireDualStack' or 'PreferDualStack' when multiple {what} are specified")
K8S_SINGLE_STACK_TO_RELEASE = "must be 'SingleStack' to release the secondary {what}"
K8S_IP_ALLOCATION_FAILED = "failed to allocate IP {ip}: {reason}"
K8S_IP_NOT_IN_RANGE = ("the provided IP ({ip}) is not in the valid range. The range of valid IPs "
                       "is {cidr}")
K8S_IP_NETWORK_MISMATCH = "the provided network does not match the current range"
K8S_IP_TAKEN = "provided IP is already allocated"
K8S_PORT_NOT_IN_RANGE = ("provided port is not in the valid range. The range of valid ports is "
                         "{low}-{high}")
K8S_PORT_TAKEN = "provided port is already allocated"
K8S_RANGE_FULL = "range is full"
K8S_SERVICE_IP_EXHAUSTED = "Internal error occurred: failed to allocate a serviceIP: {reason}"
K8S_NODE_PORT_EXHAUSTED = "Internal error occurred: failed to allocate a nodePort: {reason}"
K8S_HEALTH_PORT_EXHAUSTED = (
    "Internal error occurred: failed to allocate a HealthCheck NodePort 0: {reason}")
K8S_CLAIM_UPDATE_1_28 = (
    "spec is immutable after creation except resources.requests for bound claims")
K8S_CLAIM_UPDATE = ("spec is immutable after creation except resources.requests and "
                    "volumeAttributesClassName for bound claims")
K8S_STORAGE_CLASS_UPDATE = "updates to {field} are forbidden."
K8S_PRIORITY_VALUE_CHANGED = "may not be changed in an update."

# A pod spec's create checks (ValidatePodSpec: registry/podspecchecks.py).
K8S_NO_DOTS = "must not contain dots"
K8S_VOLUME_SOURCES = "may not specify more than 1 volume type"
K8S_MOUNT_PATH_UNIQUE = "must be unique"
K8S_PORT_NAME_CHARACTERS = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
K8S_PORT_NAME_LETTER = "must contain at least one letter (a-z)"
K8S_PORT_NAME_HYPHENS = "must not contain consecutive hyphens"
K8S_PORT_NAME_EDGES = "must not begin or end with a hyphen"
K8S_NOT_NEGATIVE = "must be greater than or equal to 0"
K8S_REQUEST_OVER_LIMIT = "must be less than or equal to {name} limit of {limit}"
K8S_REQUEST_EQUALS_LIMIT = "must be equal to {name} limit of {limit}"
K8S_LIMIT_REQUIRED = "Limit must be set for non overcommitable resources"
K8S_JOB_RESTART_POLICY = 'valid values: "OnFailure", "Never"'
K8S_RESOURCE_NOT_STANDARD = "must be a standard resource type or fully qualified"
K8S_RESOURCE_NOT_FOR_CONTAINERS = "must be a standard resource for containers"
K8S_RESOURCE_NOT_EXTENDED = "doesn't follow extended resource name standard"
K8S_HUGE_PAGES_ALONE = "HugePages require cpu or memory"
# A pod spec's scheduling fields (registry/schedulingchecks.py).
K8S_TOLERATION_EMPTY_KEY = (
    'operator must be Exists when `key` is empty, which means "match all values and all keys"')
K8S_TOLERATION_SECONDS = "effect must be 'NoExecute' when `tolerationSeconds` is set"
K8S_TOLERATION_EXISTS_VALUE = "value must be empty when `operator` is 'Exists'"
K8S_NODE_SELECTOR_TERMS = "must have at least one node selector term"
K8S_SELECTOR_VALUES_REQUIRED = "must be specified when `operator` is 'In' or 'NotIn'"
K8S_SELECTOR_VALUES_FORBIDDEN = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
K8S_SELECTOR_SINGLE_VALUE = "must be specified single value when `operator` is 'Lt' or 'Gt'"
K8S_SELECTOR_OPERATOR = "not a valid selector operator"
K8S_FIELD_SELECTOR_ONE_VALUE = (
    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector")
K8S_FIELD_SELECTOR_KEY = "not a valid field selector key"
K8S_WEIGHT_RANGE = "must be in the range 1-100"
K8S_CAN_NOT_BE_EMPTY = "can not be empty"
K8S_LABEL_KEYS_WITHOUT_SELECTOR = "must not be specified when labelSelector is not set"
K8S_LABEL_KEY_IN_SELECTOR = "exists in both matchLabelKeys and labelSelector"
K8S_LABEL_KEY_IN_BOTH = "exists in both matchLabelKeys and mismatchLabelKeys"
K8S_GREATER_THAN_ZERO = "must be greater than zero"
K8S_MIN_DOMAINS_POLICY = "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"
K8S_DNS_CONFIG_REQUIRED = "must provide `dnsConfig` when `dnsPolicy` is None"
K8S_DNS_NAMESERVER_REQUIRED = "must provide at least one DNS nameserver when `dnsPolicy` is None"
K8S_DNS_NAMESERVERS_MAX = "must not have more than {limit} nameservers"
K8S_DNS_NAMESERVER_1_29 = "must be valid IP address"
K8S_DNS_SEARCHES_MAX = "must not have more than {limit} search paths"
K8S_DNS_SEARCH_LENGTH = "must not have more than {limit} characters (including spaces) in the search list"
K8S_DNS_OPTION_NAME = "must not be empty"
K8S_DNS1123_SUBDOMAIN_UNDERSCORE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
K8S_GATED_NODE_NAME = "cannot be set until all schedulingGates have been cleared"
# Pod and container security contexts (registry/securitychecks.py).
K8S_ID_RANGE = "must be between 0 and 2147483647, inclusive"
K8S_SHARE_PROCESS_NAMESPACE = "ShareProcessNamespace and HostPID cannot both be enabled"
K8S_SYSCTL_NAME = ("must have at most 253 characters and match regex "
                   "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$")
K8S_SYSCTL_HOST = "may not be specified when '{namespace}' is true"
K8S_SECCOMP_TYPE_REQUIRED = "type is required when seccompProfile is set"
K8S_SECCOMP_PROFILE_REQUIRED = "must be set when seccomp type is Localhost"
K8S_SECCOMP_PROFILE_FORBIDDEN = "can only be set when seccomp type is Localhost"
K8S_RELATIVE_PATH = "must be a relative path"
K8S_NO_BACKSTEPS = "must not contain '..'"
K8S_APPARMOR_TYPE_REQUIRED = "type is required when appArmorProfile is set"
K8S_APPARMOR_PROFILE_REQUIRED = "must be set when AppArmor type is Localhost"
K8S_APPARMOR_PROFILE_FORBIDDEN = "can only be set when AppArmor type is Localhost"
K8S_APPARMOR_PADDED = "must not be padded with whitespace"
K8S_APPARMOR_TOO_LONG_1_31 = "may not be longer than {limit}"
K8S_ESCALATION_PRIVILEGED = "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
K8S_ESCALATION_SYS_ADMIN = (
    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")
K8S_UNMASKED_HOST_USERS = "`hostUsers` must be false to use `Unmasked`"
K8S_HOST_USERS_1_33 = "when `pod.Spec.HostUsers` is false"
K8S_HOST_USERS = "when `hostUsers` is false"
# A container's env, envFrom, probes and lifecycle hooks (registry/containerchecks.py).
K8S_ENV_NAME = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
K8S_ENV_NAME_RELAXED = ("a valid environment variable name must consist only of printable ASCII "
                        "characters other than '='")
K8S_CONFIG_KEY = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
K8S_NOT_DOT = "must not be '.'"
K8S_NOT_DOT_DOT = "must not be '..'"
K8S_NOT_DOT_DOT_PREFIX = "must not start with '..'"
K8S_ENV_SOURCES = (
    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`")
K8S_ENV_SOURCES_FILES = ("must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, "
                         "`secretKeyRef` or `fileKeyRef`")
K8S_ENV_VALUE_AND_SOURCE = "may not be specified when `value` is not empty"
K8S_ONE_FIELD_AT_A_TIME = "may not have more than one field specified at a time"
K8S_ENV_FROM_SOURCES = "must specify one of: `configMapRef` or `secretRef`"
K8S_FIELD_PATH_CONVERSION = "error converting fieldPath: {detail}"
K8S_FIELD_LABEL_VERSION = "unsupported pod version: {version}"
K8S_FIELD_LABEL_SUBSCRIPT = "field label does not support subscript: {label}"
K8S_FIELD_LABEL_UNSUPPORTED = "field label not supported: {label}"
K8S_HOST_IPS_GATED = "may not be set when feature gate 'PodHostIPs' is not enabled"
K8S_DIVISOR = "only divisor's values {values} are supported with the {resource} resource"
K8S_HANDLER_REQUIRED = "must specify a handler type"
K8S_ONE_HANDLER = "may not specify more than 1 handler type"
K8S_MUST_BE_ONE = "must be 1"
K8S_READINESS_GRACE = "must not be set for readinessProbes"
K8S_HTTP_HEADER_NAME = (
    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
    "regex used for validation is '[-A-Za-z0-9]+')")
K8S_INIT_CONTAINER_HOOKS_1_27 = "may not be set for init containers"
K8S_INIT_CONTAINER_HOOKS = "may not be set for init containers without restartPolicy=Always"
K8S_SLEEP_1_31 = "must be greater than 0 and less than terminationGracePeriodSeconds ({grace})"
K8S_SLEEP_1_32 = (
    "must be greater than 0 and less than terminationGracePeriodSeconds ({grace}). Enable "
    "AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.")
K8S_SLEEP = "must be non-negative and less than terminationGracePeriodSeconds ({grace})"

# Label and field selectors (k8s.io/apimachinery labels and fields packages).
SELECTOR_UNABLE_TO_PARSE = "unable to parse requirement: {detail}"
SELECTOR_FIELD_NOT_SUPPORTED = 'field label not supported: {field}'
SELECTOR_INVALID_FIELD = "invalid selector: '{selector}'; can't understand '{term}'"

# Logs (kubelet / apiserver wording).
K8S_CONTAINER_NOT_FOUND = 'container {container} is not valid for pod {pod}'
K8S_CONTAINER_REQUIRED = (
    "a container name must be specified for pod {pod}, choose one of: [{choices}]"
)
K8S_INVALID_LOG_OPTION = "{name}: Invalid value: {value!r}: {detail}"
K8S_LOG_SINCE_EXCLUSIVE = "at most one of sinceTime or sinceSeconds may be specified"
K8S_MUST_BE_POSITIVE = "must be greater than 0"
K8S_PREVIOUS_TERMINATED = (
    'previous terminated container "{container}" in pod "{pod}" not found'
)

# Watch.
K8S_WATCH_NOT_ALLOWED = "watch is not supported on {resource}"

# Version and identity.
MOCK_CLUSTER_PLATFORM = "linux/amd64"

# --- Remote clusters (a real apiserver behind the agent, issue #7) ---------------------------------
REMOTE_NO_KUBECONFIG = "kubeconfig {path} does not exist"
REMOTE_BAD_KUBECONFIG = "kubeconfig {path} cannot be used: {reason}"
REMOTE_NO_SERVER = "its cluster has no https:// server"
REMOTE_UNSUPPORTED_FIELD = "{field} is not supported by the emulator's remote backend"
REMOTE_CREDENTIALS_TOKEN = "the kubeconfig's bearer token"
REMOTE_CREDENTIALS_BASIC = "the kubeconfig's username and password"
REMOTE_CREDENTIALS_CERTIFICATE = "the kubeconfig's client certificate"
REMOTE_CREDENTIALS_NONE = "no credentials (the kubeconfig has none)"
# Causes of a failed hop to the apiserver, in Go's wording (the real agent is a Go program).
REMOTE_CAUSE_REFUSED = "dial tcp {address}: connect: connection refused"
REMOTE_CAUSE_DIAL = "dial tcp {address}: connect: {detail}"
REMOTE_CAUSE_DIAL_TIMEOUT = "dial tcp {address}: i/o timeout"
REMOTE_CAUSE_TIMEOUT = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
REMOTE_CAUSE_RESET = "read tcp {address}: read: connection reset by peer"
REMOTE_CAUSE_EOF = "unexpected EOF"
REMOTE_CAUSE_TLS_VERIFY = "tls: failed to verify certificate: x509: {detail}"
REMOTE_CAUSE_TLS = "remote error: tls: {detail}"
REMOTE_CAUSE_OTHER = "{detail}"
REMOTE_CAUSE_STATUS = "the apiserver answered {status}: {detail}"
REMOTE_CAUSE_TOKEN = (
    "cannot get a token for service account {namespace}/{name} (TokenRequest answered "
    "{status}: {detail}); apply the output of `connect-gateway-emulator agent-rbac` first"
)
REMOTE_CAUSE_LOST = "the connection to the apiserver was lost: {detail}"
REMOTE_IDENTITY_SERVICE_ACCOUNT = "{user} (a TokenRequest token)"
REMOTE_IDENTITY_KUBECONFIG = "{credentials}"
REMOTE_DECISION_ALLOWED = "the remote apiserver accepted the request"

# --- agent-rbac (the RBAC a real cluster needs for the Connect Agent) ------------------------------
RBAC_ERR_NO_IDENTITIES = "Specify at least one user or group to generate gateway RBAC for."
RBAC_ERR_ROLE_FORMAT = (
    'Role "{role}" is not in a supported form: use clusterrole/NAME or role/NAMESPACE/NAME.'
)
RBAC_ERR_NO_PROJECT = "A project ID is required: it is part of every generated RBAC object name."
RBAC_ERR_NO_MEMBERSHIP = (
    "A membership name is required: it is part of every generated RBAC object name."
)
RBAC_ERR_USER_FORMAT = (
    'User "{identity}" is not in a supported form: use an email such as foo@example.com or '
    "principal://iam.googleapis.com/locations/global/workforcePools/POOL/subject/SUBJECT."
)
RBAC_ERR_GROUP_FORMAT = (
    'Group "{identity}" is not in a supported form: use an email such as group@example.com or '
    "principalSet://iam.googleapis.com/locations/global/workforcePools/POOL/group/GROUP."
)
RBAC_ERR_NAME_CLASH = (
    '{first} and {second} would both get RBAC objects named like "{name}"; grant only one of them.'
)

# --- Standalone mock apiserver (connect-gateway-emulator apiserver) ---------------------------------
APISERVER_NO_MEMBERSHIPS = "{path}: the scenario has no memberships, so no cluster to serve"
APISERVER_AUDIT_LINE = "{code} {verb} {uri} by {who}"
APISERVER_UNKNOWN_MEMBERSHIP = "{path}: no membership {name} (memberships: {known})"

# --- CLI ---------------------------------------------------------------------------------------

CLI_SERVING = "connect-gateway-emulator serving {url} (scenario {scenario}; state in {state_dir})"
CLI_IAM_MODE = "IAM: {mode} (change with --iam-mode enforce|log-only|off)"
CLI_NEXT_HINT = (
    "next: connect-gateway-emulator kubeconfig my-cluster --as alice@example.com --output "
    "{state_dir}/kubeconfig && KUBECONFIG={state_dir}/kubeconfig kubectl get ns"
)
BAD_CLUSTER_FLAG = "{flag} {value}: expected MEMBERSHIP=KUBECONFIG[:CONTEXT]"
CLI_BAD_CLUSTER_FLAG = "error: " + BAD_CLUSTER_FLAG
CLI_REMOTE_CLUSTER = (
    "membership {membership}: remote apiserver {server} (context {context}); the agent "
    "authenticates as {identity}"
)
CLI_REMOTE_REACHABLE = "membership {membership}: the apiserver answers the agent (Kubernetes {version})"
CLI_REMOTE_UNREACHABLE = (
    "membership {membership}: the apiserver does not answer yet ({cause}); its requests fail with "
    "the agent-side error until it does"
)
CLI_REMOTE_REFUSED = (
    "membership {membership}: the apiserver refused the agent's GET /version ({status}: {detail})"
)
CLI_REMOTE_SEEDS_SKIPPED = (
    "membership {membership}: the scenario's objects and pod logs are not applied to a remote "
    "cluster (`connect-gateway-emulator agent-rbac` prints the RBAC the agent needs)"
)
CLI_APISERVER_SERVING = (
    "mock apiserver serving {url}: cluster of membership {membership} (scenario {scenario}, "
    "Kubernetes {version})"
)
CLI_APISERVER_FILES = "admin kubeconfig: {kubeconfig}; audit log: {audit}"
CLI_PORT_IN_USE = "error: cannot listen on {host}:{port}: {reason}"
CLI_SCENARIO_ERROR = "error: {detail}"
CLI_NOT_RUNNING = (
    "error: no running emulator found in {state_dir} (start one with `connect-gateway-emulator serve`, "
    "or pass --state-dir)"
)
CLI_NOT_ANSWERING = (
    "error: no emulator answers at {url}, which {state_dir} names ({reason}); the server that "
    "wrote it has stopped. Start one with `connect-gateway-emulator serve`, or pass --state-dir"
)
CLI_UNKNOWN_MEMBERSHIP = "error: membership {name!r} is not in the running scenario (known: {known})"
CLI_UNKNOWN_PRINCIPAL = "error: principal {email!r} is not in the running scenario (known: {known})"
CLI_NO_TOKEN = "error: principal {email!r} has no bearer token in the running scenario"
CLI_WROTE_KUBECONFIG = "wrote kubeconfig {path} (context {context})"
CLI_BAD_PORT = "error: --port {port} is not a TCP port (0-65535; 0 picks a free one)"
CLI_BAD_NUMBER = "error: {flag} {value} is out of range"
PLUGIN_BAD_LIMITS = (
    "connect_gateway: active_streams_quota={active_streams!r}, stream_timeout={stream_timeout!r}: "
    "the quota must be a whole number from 0 to {max_streams}, the timeout a number of seconds "
    "above 0 and at most {max_seconds}")
CLI_CANNOT_WRITE = "error: cannot write {path}: {reason}"
CLI_NON_LOOPBACK = (
    "error: --host {host} is not a loopback address; pass --allow-remote to bind it on purpose"
)

# --- Scenario files ----------------------------------------------------------------------------

SCENARIO_NOT_FOUND = "scenario {name!r} not found (built-in scenarios: {known})"
SCENARIO_NO_BUILTINS = (
    "no built-in scenarios are installed: the package {package} holds no scenario files. "
    "This install is incomplete; reinstall connect-gateway-emulator from a wheel or an sdist, "
    "or with pip install -e . from a checkout")
SCENARIO_UNREADABLE = "{path}: cannot read scenario: {reason}"
SCENARIO_YAML_ERROR = "{path}:{line}: not valid YAML: {reason}"
SCENARIO_INVALID = "{path}:{line}: {reason}"

# --- Selectors and patches (helper section A) ------------------------------------------------------
# Label selector syntax (k8s.io/apimachinery/pkg/labels); each is the detail of
# SELECTOR_UNABLE_TO_PARSE.
SELECTOR_FOUND_EXPECTED = "found '{found}', expected: {expected}"
SELECTOR_INVALID_LABEL_KEY = 'invalid label key "{key}": {reason}'
SELECTOR_INVALID_LABEL_VALUE = 'invalid label value: "{value}": at key: "{key}": {reason}'
SELECTOR_NAME_PART_EMPTY = "name part must be non-empty"
SELECTOR_NAME_PART_TOO_LONG = "name part must be no more than 63 characters"
SELECTOR_NAME_PART_CHARSET = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character"
)
SELECTOR_PREFIX_EMPTY = "prefix part must be non-empty"
SELECTOR_PREFIX_TOO_LONG = "prefix part must be no more than 253 characters"
SELECTOR_PREFIX_CHARSET = (
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
SELECTOR_TOO_MANY_SLASHES = (
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"
)
SELECTOR_VALUE_TOO_LONG = "must be no more than 63 characters"
SELECTOR_VALUE_CHARSET = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
SELECTOR_VALUES_REQUIRED = "for 'in', 'notin' operators, values set can't be empty"
SELECTOR_VALUES_FORBIDDEN = "values set must be empty for 'Exists' and 'DoesNotExist' operators"
SELECTOR_INTEGER_REQUIRED = "for 'Gt', 'Lt' operators, the value must be an integer"
SELECTOR_INVALID_OPERATOR = '"{operator}" is not a valid label selector operator'
SELECTOR_MALFORMED_OBJECT = (
    "a label selector needs matchLabels as a map of strings and matchExpressions as a list of "
    "objects with key, operator and values"
)
# Field selector values (k8s.io/apimachinery/pkg/fields); complete messages.
SELECTOR_INVALID_ESCAPE = "invalid field selector: invalid escape sequence: {sequence}"
SELECTOR_UNESCAPED_CHARACTER = "invalid field selector: unescaped character in value: {character}"

# Patches. Malformed bodies are 400s; the rest are details of K8S_PATCH_FAILED (422).
PATCH_INVALID_JSON = "the patch body is not valid JSON: {detail}"
PATCH_TOO_DEEP = "the patch body is nested too deeply"
# Bodies and documents over the nesting and size limits of emulator/limits.py (docs/limits.md).
NESTING_TOO_DEEP = (
    "exceeded max depth: objects and arrays may nest at most {limit} levels deep in "
    "connect-gateway-emulator"
)
YAML_RECURSIVE_ALIAS = (
    "the alias *{anchor} stands inside the collection it names: a recursive document cannot be used"
)
YAML_TOO_MANY_VALUES = (
    "the document holds more than {limit} values (aliases counted as the values they stand for), "
    "connect-gateway-emulator's limit for YAML"
)
PATCH_JSON_PATCH_NOT_LIST = (
    "a JSON patch (application/json-patch+json) must be a JSON array of operation objects"
)
PATCH_JSON_PATCH_INVALID = "invalid JSON patch operation: {detail}"
PATCH_STRATEGIC_NOT_OBJECT = "a strategic merge patch must be a JSON object"
PATCH_INVALID_DIRECTIVE = 'invalid value for $patch: "{value}" (expected replace, merge or delete)'
PATCH_DIRECTIVE_NOT_LIST = "invalid list format for {directive}"
PATCH_DELETE_WITHOUT_KEY = "a list item of {field} with $patch: delete must carry the merge key {key}"
PATCH_RETAIN_KEYS_MISMATCH = "patch content doesn't match retainKeys list"
PATCH_RESULT_NOT_OBJECT = "the patched {kind} is not a JSON object"
# (end of section A)

# --- Discovery, OpenAPI and Tables (helper section B) ---------------------------------------------
# Cell placeholders and formats of kube-apiserver's table printers (k8s.io/kubernetes pkg/printers),
# reproduced because kubectl prints them verbatim.
TABLE_NONE = "<none>"
TABLE_UNKNOWN = "<unknown>"
TABLE_INVALID = "<invalid>"
TABLE_PENDING = "<pending>"
TABLE_RESTARTS_AGO = "{restarts} ({age} ago)"
TABLE_UNSET = "<unset>"
TABLE_ERROR = "<error>"
TABLE_NIL = "<nil>"  # Go's text for a nil quantity
TABLE_AUTO = "<auto>"
TABLE_UNKNOWN_METRIC = "<unknown type>"
TABLE_NOT_APPLICABLE = "N/A"
TABLE_ANY_HOST = "*"
TABLE_UNKNOWN_DANGLING = "?"
TABLE_MORE = "{shown} + {more} more..."
TABLE_DEFAULT_CLASS = "{name} (default)"
TABLE_INGRESS_PORTS = "80"
TABLE_INGRESS_TLS_PORTS = "80, 443"
TABLE_LOCAL_APISERVICE = "Local"
TABLE_CONDITION_REASON = "{status} ({reason})"
# kube-apiserver's answer to ?includeObject=<anything else>.
TABLE_INVALID_INCLUDE_OBJECT = 'unrecognized includeObject value: "{value}"'

# Texts `kubectl explain` prints for a served kind that the cluster's Kubernetes minor has no
# schema for (every other text comes from kube's own schema; see cluster/mock/schema.py).
OPENAPI_KIND_DESCRIPTION = (
    "{kind} ({api_version}) as served by connect-gateway-emulator's mock apiserver. Kubernetes' "
    "published schema of this minor does not describe it, so the schema is loose: the mock "
    "keeps every field."
)
OPENAPI_LIST_DESCRIPTION = "{kind}List holds a page of {kind} objects."
# (end of section B)

# --- Impersonation (mock apiserver) ------------------------------------------------------------

# kube-apiserver's impersonation filter; the documented `agent-not-authorized` text is this with
# the agent's service account as the user (design §4).
K8S_IMPERSONATE_FORBIDDEN = (
    '{resource} "{name}" is forbidden: User "{user}" cannot impersonate resource "{resource}" '
    'in API group "" {scope}'
)
K8S_SCOPE_CLUSTER = "at the cluster scope"
K8S_SCOPE_NAMESPACE = 'in the namespace "{namespace}"'
K8S_IMPERSONATE_USER_REQUIRED = (
    "requested [{groups}] without impersonating a user"
)

# --- Object validation (mock apiserver) ---------------------------------------------------------

K8S_INVALID_NAME = (
    '{kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": a lowercase RFC 1123 '
    "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
K8S_KIND_WRONG = "{kind} in version \"{version}\" cannot be handled as a {want}: no kind \"{kind}\" is registered for version \"{version}\""
K8S_INVALID_NAMESPACE_NAME = (
    'Namespace "{name}" is invalid: metadata.name: Invalid value: "{name}": a lowercase RFC 1123 '
    "label must consist of lower case alphanumeric characters or '-', and must start and end with "
    "an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
K8S_INVALID_PATH_SEGMENT_NAME = (
    '{kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": may not be \'.\' or '
    "'..' and may not contain '/' or '%'"
)
K8S_NAMESPACE_PROTECTED = 'namespaces "{namespace}" is forbidden: this namespace may not be deleted'
# admission.NewForbidden: apierrors.NewForbidden with the name the request gave (its generateName
# before one is made, else "Unknown"), then the plugin's own words (plugin/pkg/admission/...).
K8S_ADMISSION_FORBIDDEN = '{resource} "{name}" is forbidden: {detail}'
ADMISSION_NAMESPACE_TERMINATING = (
    "unable to create new content in namespace {namespace} because it is being terminated")
ADMISSION_NAMESPACE_TERMINATING_CAUSE = "namespace {namespace} is being terminated"
ADMISSION_SERVICE_ACCOUNT_MISSING = (
    'error looking up service account {namespace}/{name}: serviceaccount "{name}" not found')
ADMISSION_MIRROR_POD_SERVICE_ACCOUNT = "a mirror pod may not reference service accounts"
ADMISSION_MIRROR_POD_SECRETS = "a mirror pod may not reference secrets"
ADMISSION_MIRROR_POD_TOKEN = "a mirror pod may not use ServiceAccountToken volume projections"
ADMISSION_SECRET_VOLUME_NOT_MOUNTABLE = (
    'volume with secret.secretName="{secret}" is not allowed because service account {account} '
    "does not reference that secret")
ADMISSION_SECRET_ENV_NOT_MOUNTABLE = (
    '{container_kind} {container} with envVar {env} referencing secret.secretName="{secret}" is '
    "not allowed because service account {account} does not reference that secret")
ADMISSION_PULL_SECRET_NOT_MOUNTABLE = (
    'imagePullSecrets[{index}].name="{secret}" is not allowed because service account {account} '
    "does not reference that imagePullSecret")
ADMISSION_PRIORITY_CLASS_MISSING = "no PriorityClass with name {name} was found"
ADMISSION_PRIORITY_GIVEN = (
    "the integer value of priority ({given}) must not be provided in pod spec; priority admission "
    "controller computed {computed} from the given PriorityClass name")
ADMISSION_PREEMPTION_GIVEN = (
    "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority "
    "admission controller computed {computed} from the given PriorityClass name")
ADMISSION_SECOND_DEFAULT_PRIORITY_CLASS = (
    "PriorityClass {name} is already marked as default. Only one default can exist")
K8S_PRECONDITION_UID = (
    'Precondition failed: UID in precondition: {want}, UID in object meta: {got}'
)
K8S_PRECONDITION_RV = (
    "Precondition failed: ResourceVersion in precondition: {want}, ResourceVersion in object meta: {got}"
)
K8S_NOT_ACCEPTABLE = (
    "only the following media types are accepted: application/json, application/yaml, "
    "application/json;as=Table;v=v1;g=meta.k8s.io"
)
K8S_SUBRESOURCE_UNSUPPORTED = (
    "connect-gateway-emulator's mock apiserver does not serve {resource}/{subresource} yet"
)
# pods/binding and pods/eviction (kube's pkg/registry/core/pod/storage).
K8S_BINDING_NO_TARGET = 'Binding "{name}" is invalid: target.name: Required value'
K8S_POD_ALREADY_ASSIGNED = 'Operation cannot be fulfilled on pods/binding "{name}": pod {name} is already assigned to node "{node}"'
K8S_ACTION_NAME_MISMATCH = "name in URL does not match name in {kind} object"
# pods/ephemeralcontainers (kube's validateEphemeralContainers and
# ValidatePodEphemeralContainersUpdate): field errors as field.Error words them, in an Invalid
# Status (apierrors.NewInvalid) that joins several as "[a, b]".
K8S_OBJECT_INVALID = '{kind} "{name}" is invalid: {errors}'
K8S_FIELD_ERROR = "{field}: {body}"
K8S_FIELD_FORBIDDEN = "Forbidden: {detail}"
K8S_FIELD_REQUIRED = "Required value"
K8S_FIELD_DUPLICATE = "Duplicate value: {value}"
K8S_FIELD_NOT_FOUND = "Not found: {value}"
K8S_FIELD_INVALID = "Invalid value: {value}: {detail}"
K8S_DNS_LABEL_DETAIL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
K8S_EPHEMERAL_FIELD_FORBIDDEN = "cannot be set for an Ephemeral Container"
K8S_EPHEMERAL_STATIC_POD = "static pods do not support ephemeral containers"
# kube ends both with a newline; after "changed" it prints a go-cmp diff, here the mock's own.
K8S_EPHEMERAL_REMOVED = "existing ephemeral containers {name} may not be removed\n"
K8S_EPHEMERAL_CHANGED = "existing ephemeral containers {name} may not be changed\n{diff}"
K8S_EPHEMERAL_DIFF_LINE = "{sign} {field}: {value}"

# TokenRequest validation (k8s.io/kubernetes pkg/apis/authentication/validation).
K8S_TOKEN_TOO_SHORT = (
    'TokenRequest.authentication.k8s.io "{name}" is invalid: spec.expirationSeconds: Invalid '
    "value: {seconds}: may not specify a duration less than 10 minutes"
)
K8S_TOKEN_TOO_LONG = (
    'TokenRequest.authentication.k8s.io "{name}" is invalid: spec.expirationSeconds: Invalid '
    "value: {seconds}: may not specify a duration larger than 2^32 seconds"
)

# --- Authorization (mock apiserver) ---------------------------------------------------------------

# kube-apiserver's RBAC Forbidden (the `rbac-denied` case, design §4).
K8S_FORBIDDEN = (
    '{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group '
    '"{group}" {scope}'
)
K8S_FORBIDDEN_PATH = 'forbidden: User "{user}" cannot {verb} path "{path}"'
# SubjectAccessReview's validation and LocalSubjectAccessReview's namespace rule, as kube words them.
K8S_ACCESS_REVIEW_NO_SUBJECT = ('SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: '
                                'Invalid value: "": at least one of user or group must be specified')
K8S_LOCAL_ACCESS_REVIEW_NAMESPACE = ("spec.resourceAttributes.namespace must match namespace: "
                                     "{namespace}")

MOCK_SEED_UNKNOWN_KIND = (
    "the mock apiserver does not serve apiVersion {api_version!r} kind {kind!r}"
)
MOCK_INTERNAL_ERROR = (
    "connect-gateway-emulator's mock apiserver hit an internal error; the emulator's log has the "
    "details (please report it)"
)

# --- Scenario validation ---------------------------------------------------------------------------

SCENARIO_EXPECTED_MAPPING = "{where} must be a mapping"
SCENARIO_EXPECTED_LIST = "{key!r} in {where} must be a list"
SCENARIO_EXPECTED_STRING = "{key!r} in {where} must be a string"
SCENARIO_EXPECTED_BOOL = "{key!r} in {where} must be true or false"
SCENARIO_UNKNOWN_KEY = "unknown key {key!r} in {where} (allowed: {allowed})"
SCENARIO_MISSING_KEY = "{where} needs {key!r}"
SCENARIO_BAD_VALUE = "{key!r} in {where} is {value!r}: {hint}"
SCENARIO_DUPLICATE = "{what} {name!r} is defined twice"
SCENARIO_BAD_MEMBER = "IAM member {member!r} must look like user:EMAIL, serviceAccount:EMAIL or group:EMAIL"
SCENARIO_BAD_LOG_KEY = "pod_logs key {key!r} must be NAMESPACE/POD/CONTAINER with a list of lines"
SCENARIO_BAD_EXTENDS = "extends {name!r}: not a built-in scenario (built-in: {known})"
SCENARIO_BAD_PATH = "{key!r} in {where} is not a usable path: {reason}"
SCENARIO_BAD_COMMAND = "the command cannot be split into words: {detail}"
SCENARIO_COMMAND_NOT_KUBECTL = "expectations run kubectl commands; {command!r} is not one"
SCENARIO_HINT_TRACK = "v1, v1beta1 or v1alpha1"
SCENARIO_HINT_ERROR_ID = "not a case of the error catalogue ({known})"
SCENARIO_BAD_CONTAINER_KEY = "{where} key {key!r} must be NAMESPACE/POD/CONTAINER with a mapping"
SCENARIO_BAD_FILE = "pod_files path {path!r} must be absolute and its content text"
SCENARIO_HINT_COUNT = "a whole number from 0 to {maximum}"
SCENARIO_HINT_POSITIVE = "a whole number, 1 or more"
SCENARIO_HINT_SECONDS = "a number of seconds above 0 and at most {maximum}"
SCENARIO_HINT_EXIT_CODE = "an exit code from 0 to 255"
SCENARIO_BAD_PERMISSION = "{permission!r} is not an IAM permission (service.resource.verb)"
SCENARIO_HINT_TIME = "an RFC 3339 time with a zone, e.g. 2026-01-01T00:00:00Z"
SCENARIO_HINT_CUSTOM_ROLE = "a custom role is named projects/PROJECT/roles/ID"
SCENARIO_HINT_PROJECT_NUMBER = "a project number is 6 to 19 digits, e.g. \"123456789012\""
SCENARIO_HINT_AGENT_CREDENTIALS = (
    "use kubeconfig (the kubeconfig's own credentials) or service-account (TokenRequest for "
    "gke-connect/connect-agent-sa)"
)
SCENARIO_REMOTE_SEEDS = (
    "membership {name} is a remote cluster (kubeconfig:): objects, pod_logs, pod_files and "
    "scripted cannot be seeded into it; apply them with kubectl instead"
)
SCENARIO_REMOTE_UNUSABLE = "{path}: membership {membership}: {reason}"
SCENARIO_UNKNOWN_CLUSTER_MEMBERSHIP = (
    "{path}: a real cluster is given for {names}, which the scenario does not have "
    "(memberships: {known})"
)
SCENARIO_REMOTE_ONLY = "{key} is only meaningful with kubeconfig: (a remote cluster)"
SCENARIO_HINT_PULL = "use ok or fail"
SCENARIO_HINT_DELAY = "use a number of seconds from 0 to {maximum}"
SCENARIO_HINT_TYPE = (
    "use attached (Connect Agent, memberships/), gke (gkeMemberships/), aws or azure "
    "(GKE on AWS / on Azure: Connect Agent, memberships/)"
)
SCENARIO_MULTICLOUD_TYPE = (
    "multicloud: is for aws, azure and attached memberships; a {type} membership has no "
    "GKE Multi-Cloud cluster"
)
SCENARIO_HINT_REGION = "a Google Cloud region such as us-east4"
SCENARIO_HINT_MEMBERSHIP = "lower-case letters, digits and '-', starting with a letter, at most 63"
SCENARIO_HINT_VERSION = "a Kubernetes version such as v1.30.5"
SCENARIO_OBJECT_REJECTED = "{path}:{line}: the cluster of membership {membership!r} refused this object: {reason}"

# --- Gateway refusals ------------------------------------------------------------------------------

IMPERSONATION_HEADER_REFUSED = (
    "Connect Gateway refuses client-supplied {header} headers: the gateway already acts as "
    "{principal} and never lets a client choose another identity (remove kubectl's --as/--as-group)"
)

# --- Protobuf request bodies (mock apiserver) -------------------------------------------------------

K8S_PROTOBUF_UNSUPPORTED = (
    "connect-gateway-emulator's mock apiserver cannot read a protobuf body of kind {kind}; "
    "send it as application/json"
)
K8S_PROTOBUF_UNKNOWN_FIELD = (
    "connect-gateway-emulator's mock apiserver cannot read this protobuf {kind}: field {number} of "
    "{message} at {path} is not in the emulator's schema, and the request is refused rather than "
    "the field dropped; send the object as JSON instead (kubectl apply -f)"
)
K8S_PROTOBUF_ENVELOPE_UNSUPPORTED = (
    "connect-gateway-emulator's mock apiserver cannot read a protobuf {kind} whose envelope declares "
    "content encoding {encoding!r} and content type {content_type!r}; send plain protobuf or JSON"
)
K8S_PROTOBUF_DECODE_ERROR = "the protobuf request body could not be decoded: {detail}"
K8S_PROTOBUF_NOT_PROTOBUF = (
    "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"
)

# --- Google IAM ------------------------------------------------------------------------------------

IAM_UNKNOWN_ROLE = "unknown IAM role {role!r}: define it under roles: or use one of {known}"
IAM_EXPLAIN_ALLOWED = "{member} has {permission} through {role}{via}"
IAM_EXPLAIN_DENIED = "{member} lacks {permission} (roles held on {where}: {held})"
IAM_WHERE_PROJECT = "the project"
IAM_WHERE_RESOURCE = "the project and {resource}"
IAM_EXPLAIN_NO_ROLES = "none"
IAM_NO_PREDEFINED_ROLE = "no predefined gateway role has it; use a custom role"
# The `iam-denied` case (design §4): the missing permission and the gateway roles that grant it.
# The product page (§10) words it "The user ID does not have sufficient permission to use the
# Gateway API" and names the three gateway roles.
IAM_DENIED = (
    "Permission '{permission}' denied on '{resource}' for {member}: the caller does not have "
    "sufficient permission to use the Connect Gateway API. Grant a role that includes "
    "{permission} ({roles}) on project {project}"
)

# --- Kubernetes RBAC (mock apiserver) ---------------------------------------------------------------

# kube-apiserver's reason for an RBAC allow (as SelfSubjectAccessReview reports it).
RBAC_ALLOWED_BY = 'RBAC: allowed by {binding_kind} "{binding}" of {role_kind} "{role}" to {subject}'
RBAC_NO_RULE = (
    'no RBAC rule lets User "{user}" (groups: {groups}) {verb} resource "{resource}" in API group '
    '"{group}"{named} {where}: no RoleBinding or ClusterRoleBinding for this user or its groups '
    "points at a role with such a rule"
)
RBAC_NO_RULE_PATH = (
    'no RBAC rule lets User "{user}" (groups: {groups}) {verb} the non-resource URL "{path}"'
)
RBAC_NO_GROUPS = "none"

# --- Gateway limits --------------------------------------------------------------------------------

# The quotas page: "There is an 8 KB limit for the request header size. If you use Google Groups
# ... the size of the request header can exceed the 8 KB limit and cause authentication errors."
HEADER_TOO_LARGE = (
    "Request had invalid authentication credentials: the request headers, with the caller's "
    "{groups} Google group(s), are {size} bytes, over the gateway's {limit}-byte request header "
    "limit"
)

# --- Audit trail explanations ------------------------------------------------------------------------

AUDIT_URL_NOT_FOUND = "the path is not a gateway URL of the fleet host project"
AUDIT_IMPERSONATION = "{agent} impersonates {principal} (Google groups: {groups})"
AUDIT_IMPERSONATION_REFUSED = "refused by the cluster: {reason}"
AUDIT_AGENT_NOT_AUTHORIZED = (
    "the Connect Agent ({agent}) is not allowed to impersonate the caller in the cluster: {reason}; "
    "add the caller to the agent's impersonation ClusterRole (gateway-impersonate)"
)
AUDIT_RBAC_DENIED = "Kubernetes RBAC denied the request: {reason}"
AUDIT_GA_TRACK_STREAM = (
    "exec, attach, cp and port-forward are not supported on the v1 (GA) track: regenerate the "
    "kubeconfig with `gcloud beta container fleet memberships get-credentials` (v1beta1)"
)
AUDIT_PORT_FORWARD = "port-forward is not supported through Connect Gateway on any track"
AUDIT_SPDY_STREAM = (
    "the client upgraded with SPDY; Connect Gateway streams only over WebSocket (kubectl 1.30+, "
    "or 1.29 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)"
)
AUDIT_QUOTA = "active_streams {active}/{limit} ({outcome})"
AUDIT_AGENT_DISCONNECTED = "the membership's Connect Agent is disconnected"
AUDIT_CLUSTER_ERROR = "the Connect Agent could not open its WebSocket to the apiserver: {reason}"
AUDIT_UNSUPPORTED_SUBPROTOCOLS = (
    "refused before the upgrade: the client offered no WebSocket subprotocol the gateway carries "
    "(offered: [{offered}]; carried: [{supported}])"
)
AUDIT_CLIENT_LEFT = "the client closed the stream"
AUDIT_STREAM_TIMEOUT = "the stream session reached its limit of {seconds} seconds"
AUDIT_DISCOVERY_DENIED = (
    "discovery was denied ({case}: {explanation}); the gateway answered the root discovery with "
    "the bare version list, so kubectl reports 'the server doesn't have a resource type'"
)

# --- Control API -------------------------------------------------------------------------------------

CONTROL_LOOPBACK_ONLY = "the emulator's control API answers loopback clients only"
CONTROL_NO_MEMBERSHIP = "membership {name!r} is not in the running scenario"

# --- Streams: exec, attach, cp, port-forward (design §4) ------------------------------------------------

# gke-preview: the product page: "GKE on Google Cloud is not supported in the preview."
GKE_PREVIEW = (
    "kubectl attach, cp and exec through Connect Gateway are in preview, and the preview does not "
    "support GKE clusters on Google Cloud (membership {membership} is a GKE cluster); use the "
    "cluster's own endpoint for streaming commands"
)
# rate-limit: the quotas page's 2,400 requests per minute per fleet (design §4: HTTP 429).
RATE_LIMITED = (
    "generic::resource_exhausted: Quota exceeded for connectgateway.googleapis.com requests: "
    "{limit} requests per minute per fleet host project {project}"
)
# quota: the product page's heading (connect-gateway-facts.md §5.2).
QUOTA_EXHAUSTED = (
    "generic::resource_exhausted: Gateway's active_streams quota exhausted "
    "(connectgateway.googleapis.com/active_streams: {limit} active streams per fleet host project "
    "{project})"
)
# cluster-too-old and exec-rbac: the product page's verbatim string.
CLUSTER_ERROR = "generic::failed_precondition: error encountered within the cluster"
# A stream upgrade offering none of the channel protocols the gateway carries: a 400 Status, worded
# as k8s.io/apimachinery's wsstream words a failed subprotocol negotiation.
UNSUPPORTED_SUBPROTOCOLS = (
    "requested protocol(s) are not supported: [{offered}]; supports [{supported}]"
)
# agent-stream-failure: at once (agent disconnected) or after the session limit.
AGENT_CONNECT_FAILED = (
    "generic::failed_precondition: failed to connect to the Connect Agent for cluster (project: "
    "{project_number}, membership: {membership}): the agent is not connected"
)
AGENT_STREAM_INTERRUPTED = (
    "generic::failed_precondition: the connection to the Connect Agent was interrupted: the "
    "stream session reached its limit of {seconds} seconds; re-establish the connection"
)
# stream-permission: kubectl reports it as "error reading from error stream" (the close reason).
# A WebSocket close reason holds 123 bytes: keep this short.
STREAM_PERMISSION_DENIED = "generic::permission_denied: gkehub.gateway.stream denied for {member}"
# The Connect Agent's own log lines (kubectl logs -n gke-connect -l app=gke-connect-agent).
AGENT_LOG_WEBSOCKET_FAILED = "failed to create the websocket connection: {reason}"
AGENT_LOG_BAD_HANDSHAKE = "websocket: bad handshake ({status}){detail}"
AGENT_LOG_UPSTREAM_FAILED = "failed to forward the request to the Kubernetes API server: {cause}"
AGENT_UPSTREAM_STREAM_LOST = "the stream's WebSocket to the apiserver closed without a close frame"
AGENT_UPSTREAM_INTERRUPTED = (
    "generic::failed_precondition: error encountered within the cluster: the Connect Agent lost "
    "its connection to the Kubernetes API server"
)
AUDIT_CLUSTER_UNREACHABLE = "the Connect Agent could not reach the apiserver: {cause}"
AUDIT_CLIENT_LEFT_BEFORE_ANSWER = (
    "the client went away before the cluster answered; the request to the cluster was cancelled"
)
STREAM_RELAY_FAILED = "the gateway's relay of the stream {path} failed inside the emulator"
AUDIT_UPSTREAM_STREAM_LOST = "the apiserver's side of the stream vanished mid-session"
AGENT_LOG_STREAM_STARTED = "stream {stream_id} opened for {principal}: {method} {path}"
AGENT_LOG_STREAM_ENDED = "stream {stream_id} closed with code {code}"
AGENT_LOG_STARTED = "gke-connect-agent started; connected to Connect Gateway for project {project}"

# Mock apiserver streaming endpoints.
K8S_UPGRADE_REQUIRED = "Upgrade request required"
K8S_EXEC_NEEDS_OUTPUT = "you must specify at least 1 of stdin, stdout, stderr"
K8S_EXEC_NO_COMMAND = "you must specify at least one command for the container"
K8S_EXEC_CONTAINER_NOT_FOUND = 'container {container} is not valid for pod {pod}'
K8S_EXEC_NON_ZERO = "command terminated with non-zero exit code: command terminated with exit code {code}"
# apierrors.NewInternalError, as the kubelet sends it when the runtime fails to run the command.
K8S_EXEC_INTERNAL_ERROR = "Internal error occurred: error executing command in container: {detail}"
K8S_POD_NOT_RUNNING = "pod {pod} is not running (phase {phase})"
K8S_PORT_FORWARD_UNSUPPORTED = (
    "connect-gateway-emulator's mock apiserver does not serve pods/portforward"
)
MOCK_NO_SUBPROTOCOL = (
    "no acceptable WebSocket subprotocol among [{offered}] for a {version} cluster (1.30 and later "
    "serve v5.channel.k8s.io; older clusters only up to v4.channel.k8s.io)"
)
MOCK_BAD_RESIZE = (
    "ignoring a malformed resize message ({bytes} bytes) and every later one in this session, "
    "as the kubelet does; the process runs on"
)
MOCK_STREAM_PROCESS_FAILED = (
    "the fake container's process failed inside the mock apiserver ({command}); the stream ends "
    "with an InternalError status"
)


# --- Fake container shell ---
# What the mock's sandboxed containers print (emulator/cluster/mock/node/container/). Wording follows
# busybox/dash for the shell, GNU coreutils and GNU tar for the commands, so tools and people that
# parse a real container's errors recognise them; texts about the sandbox are the emulator's own.

# strerror texts, printed after a path.
SH_ENOENT = "No such file or directory"
SH_ENOTDIR = "Not a directory"
SH_EISDIR = "Is a directory"
SH_EEXIST = "File exists"
SH_ENOSPC = "No space left on device"
SH_EBUSY = "Device or resource busy"

# The shell.
SH_NOT_FOUND = "sh: {name}: not found"
SH_NO_COMMAND = "sh: no command given"
SH_PROMPT = "# "
SH_PROMPT_MORE = "> "
SH_SYNTAX_UNEXPECTED = 'sh: syntax error: "{token}" unexpected'
SH_SYNTAX_UNTERMINATED = "sh: syntax error: unterminated quoted string"
SH_SYNTAX_EOF = "sh: syntax error: unexpected end of file"
SH_BAD_SUBSTITUTION = "sh: syntax error: bad substitution"
SH_UNSUPPORTED = (
    "sh: syntax error: {what} is not supported by connect-gateway-emulator's fake container shell "
    "(it runs simple commands, ;, &&, ||, pipes and redirections)"
)
SH_ILLEGAL_OPTION = "sh: {option}: illegal option"
SH_C_NEEDS_ARGUMENT = "sh: -c requires an argument"
SH_ILLEGAL_NUMBER = "sh: {cmd}: Illegal number: {value}"
SH_CANNOT_CREATE = "sh: can't create {path}: {reason}"
SH_CANNOT_OPEN = "sh: can't open {path}: {reason}"
SH_BAD_FD = "sh: {fd}: bad file descriptor"
SH_CD_FAILED = "sh: cd: can't cd to {path}: {reason}"

# Commands (GNU coreutils wording).
SH_INVALID_OPTION = "{cmd}: invalid option -- '{option}'"
SH_UNRECOGNIZED_OPTION = "{cmd}: unrecognized option '{option}'"
SH_OPTION_NEEDS_VALUE = "{cmd}: option requires an argument -- '{option}'"
SH_MISSING_OPERAND = "{cmd}: missing operand"
SH_FILE_ERROR = "{cmd}: {path}: {reason}"
SH_CANNOT_READ = "{cmd}: cannot open '{path}' for reading: {reason}"
SH_WRITE_ERROR = "{cmd}: write error: {reason}"
SH_LS_FAILED = "ls: cannot access '{path}': {reason}"
SH_MKDIR_FAILED = "mkdir: cannot create directory '{path}': {reason}"
SH_INVALID_MODE = "{cmd}: invalid mode '{mode}'"
SH_RM_FAILED = "rm: cannot remove '{path}': {reason}"
SH_RM_ROOT = (
    "rm: it is dangerous to operate recursively on '/'\n"
    "rm: use --no-preserve-root to override this failsafe"
)
SH_RM_DOT = "rm: refusing to remove '.' or '..' directory: skipping '{path}'"
SH_TOUCH_FAILED = "touch: cannot touch '{path}': {reason}"
SH_SLEEP_INVALID = "sleep: invalid time interval '{value}'"
SH_INVALID_COUNT = "{cmd}: invalid number of {what}: '{value}'"
SH_HEAD_TAIL_HEADER = "==> {name} <=="
SH_STANDARD_INPUT = "standard input"
SH_PRINTF_NOT_NUMBER = "printf: '{value}': expected a numeric value"
SH_DATE_INVALID = "date: invalid date '{value}'"
SH_TEST_MISSING_BRACKET = "sh: [: missing ]"
SH_TEST_ERROR = "sh: {cmd}: {detail}"
SH_TEST_INTEGER_EXPECTED = "{value}: integer expression expected"
SH_TEST_UNARY_EXPECTED = "{operator}: unary operator expected"
SH_TEST_BINARY_EXPECTED = "{operator}: binary operator expected"
SH_TEST_TOO_MANY = "too many arguments"

# Fixed answers of the fake system.
SH_ROOT = "root"
SH_ID = "uid=0(root) gid=0(root) groups=0(root)"
SH_DATE_FORMAT = "%a %b %e %H:%M:%S UTC %Y"
SH_UNAME_SYSTEM = "Linux"
SH_UNAME_RELEASE = "6.1.0-emulator"
SH_UNAME_VERSION = "#1 SMP PREEMPT_DYNAMIC"
SH_UNAME_MACHINE = "x86_64"
SH_UNAME_OS = "GNU/Linux"
SH_OS_RELEASE = (
    'PRETTY_NAME="connect-gateway-emulator fake container"\n'
    'NAME="connect-gateway-emulator fake container"\n'
    "ID=connect-gateway-emulator\n"
    'VERSION_ID="1"\n'
    "# Not a real Linux: an in-memory sandbox inside the emulator's mock apiserver. Nothing here\n"
    "# runs on the host; files live in memory for the pod's lifetime.\n"
)

# tar (GNU tar wording).
SH_TAR_REMOVING_LEADING = "tar: Removing leading `{prefix}' from member names"
SH_TAR_CANNOT = "tar: {name}: Cannot {action}: {reason}"
SH_TAR_NOT_RECOVERABLE = "tar: Error is not recoverable: exiting now"
SH_TAR_FAILED_STATUS = "tar: Exiting with failure status due to previous errors"
SH_TAR_EMPTY_ARCHIVE = "tar: Cowardly refusing to create an empty archive"
SH_TAR_NOT_AN_ARCHIVE = "tar: This does not look like a tar archive"
SH_TAR_UNEXPECTED_EOF = "tar: Unexpected EOF in archive"
SH_TAR_DOT_DOT = "tar: {name}: Member name contains '..'"
SH_TAR_ONE_MODE = (
    "tar: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option"
)
SH_TAR_NO_MODE = "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options"
SH_TAR_UNSUPPORTED = (
    "tar: {name}: Cannot create {kind}: connect-gateway-emulator's fake container holds regular "
    "files and directories only"
)
SH_TAR_KIND_SYMLINK = "symlink"
SH_TAR_KIND_LINK = "hard link"
SH_TAR_KIND_DEVICE = "device"
SH_TAR_KIND_FIFO = "fifo"
SH_TAR_KIND_OTHER = "special file"

# --- pytest plugin and test handle -----------------------------------------------------------------

PLUGIN_UNKNOWN_MARKER_ARGUMENT = (
    "@pytest.mark.connect_gateway does not take {names} (it takes scenario, active_streams_quota, "
    "stream_timeout, iam_mode)"
)
PLUGIN_SERVER_ERROR = "the connect-gateway emulator hit an error while serving this test:\n{report}"
TESTING_NO_TOKEN = "principal {principal!r} has no bearer token in this test's scenario"
TESTING_NO_MEMBERSHIP = "membership {membership!r} is not in this test's scenario"
TESTING_NOT_DENIED = (
    "no request by {principal} was refused for lacking {permission}; its requests:{seen}"
)
TESTING_UNKNOWN_ERROR_ID = "error_id {error_id!r} is not a case of the error catalogue ({known})"
TESTING_NO_SUCH_REQUEST = "no request matched {wanted}; the closest ones (one field off):{near}"
TESTING_NONE_CLOSE = " none"
APP_INTERNAL_ERROR = "connect-gateway-emulator failed on {method} {path}"
# Go's net/http answer to a request it cannot serve (the standalone apiserver's HTTP/2 preface).
GO_400_BAD_REQUEST = "400 Bad Request"
APP_CLIENT_LEFT = "the client left before {method} {path} was over ({cause})"

# --- Google control-plane APIs (gcloud) ---------------------------------------------------------------

GOOGLE_UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
# gcloud prints these after "PERMISSION_DENIED: " / "NOT_FOUND: " (gcloud-wire.md §2-§4).
GOOGLE_PERMISSION_DENIED = "Permission '{permission}' denied on '{resource}'"
GOOGLE_RESOURCE_NOT_FOUND = "Resource '{resource}' was not found"
GOOGLE_MEMBERSHIP_NOT_FOUND = "membership {name} not found"
GOOGLE_PROJECT_NOT_FOUND = "Project '{project}' not found or permission denied."
# The server's half of what gcloud prints on a failed impersonation (gcloud-wire.md §5).
GOOGLE_GET_ACCESS_TOKEN_DENIED = (
    "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
)
GOOGLE_SA_NOT_FOUND = "Service account {email} not found or it is not a service account of the scenario"
GOOGLE_BAD_ARGUMENT = "Request contains an invalid argument: {detail}"
GOOGLE_BAD_LIFETIME = "lifetime must be between 1s and 43200s, got {value!r}"
GOOGLE_PAYLOAD_TOO_LARGE = "Request payload size exceeds the limit: {limit} bytes."
GOOGLE_INVALID_JSON = "Invalid JSON payload received. {detail}"
# A Google host the real-host proxy let through whose API the emulator does not have (UNIMPLEMENTED).
GOOGLE_HOST_NOT_EMULATED = (
    "{host} is not emulated by connect-gateway-emulator; it emulates {emulated}"
)

# --- Real-host proxy (docs/real-hosts.md) ----------------------------------------------------------

# The proxy's 403 text body for every target it will not serve; it never connects to any of them.
REALHOSTS_REFUSED = (
    "connect-gateway-emulator refused {target}: its proxy serves only https to *.googleapis.com "
    "(CONNECT host:443), and answers those itself. It contacts nothing outside this machine.\n"
)
REALHOSTS_BAD_REQUEST = "connect-gateway-emulator's proxy could not read this request: {detail}\n"
REALHOSTS_NOT_HTTP1 = "not an HTTP/1.x request line"
REALHOSTS_BAD_VERSION = "unsupported version {version}"
REALHOSTS_HEAD_TOO_LARGE = "header too large"
CLI_PROXY = (
    "real-host proxy: http://{address} for *.googleapis.com (see `connect-gateway-emulator env "
    "--real-hosts`)"
)
CLI_BAD_PROXY_PORT = (
    "error: --proxy-port {port} is not a TCP port (0-65535; 0 picks a free one; -1: no proxy)"
)
CLI_PROXY_PORT_IN_USE = "error: cannot listen on 127.0.0.1:{port} for the proxy: {reason}"
CLI_PROXY_PORT_BUSY = (
    "real-host proxy: not started, 127.0.0.1:{port} is taken ({reason}); pass --proxy-port to "
    "choose another port for `env --real-hosts`"
)
CLI_PROXY_NOT_STARTED = (
    "real-host proxy: not started; it reaches the emulator over loopback, and --host {host} is "
    "not a loopback or wildcard address"
)
CLI_NO_PROXY = (
    "error: the emulator serving from {state_dir} runs no real-host proxy (start `serve` with a "
    "loopback --host, and without --proxy-port -1)"
)

# --- Control API (issue #6) ---------------------------------------------------------------------------

CONTROL_UNKNOWN_ENDPOINT = "no control endpoint {method} {path}; the endpoints are: {endpoints}"
CONTROL_METHOD_NOT_ALLOWED = "{path} takes {allowed}, not {method}"
CONTROL_BAD_JSON = "the request body is not valid JSON: {reason}"
CONTROL_BODY_TOO_LARGE = "the request body is over the control API's limit of {limit} bytes"
CONTROL_BODY_REFUSED = "the request body is refused: {reason}"
CONTROL_NOT_AN_OBJECT = "the request body must be a JSON object, got {value}"
CONTROL_UNKNOWN_FIELD = "unknown field {field!r} (allowed: {allowed})"
CONTROL_MISSING_FIELD = "missing field {field!r}"
CONTROL_BAD_FIELD = "field {field!r} must be {expected}, got {value}"
CONTROL_EXPECT_STRING = "a string"
CONTROL_EXPECT_EMAIL = "an email address (NAME@DOMAIN)"
CONTROL_EXPECT_COUNT = "a whole number from 0 to {maximum}"
CONTROL_EXPECT_ADVANCE = "a number of seconds from 0 to {maximum}"
CONTROL_EXPECT_POSITIVE = "a whole number from 1 to {maximum}"
CONTROL_EXPECT_SECONDS = (
    "a number of seconds above 0 and at most {maximum}, or null (drawn between 5 and 10 minutes)"
)
CONTROL_EXPECT_5XX = "a server error status from 500 to 599, or null"
CONTROL_EXPECT_LATENCY = "a whole number of milliseconds from 0 to {maximum}"
CONTROL_EXPECT_TIME = "an RFC 3339 time with its offset, e.g. 2030-01-01T00:00:00Z"
CONTROL_EXPECT_MEMBERS = "a list of user:EMAIL, serviceAccount:EMAIL or group:EMAIL strings"
CONTROL_EXPECT_BOOL_QUERY = "true or false"
CONTROL_BAD_QUERY = "query parameter {name!r} must be {expected}, got {value!r}"
CONTROL_BAD_MEMBER = "member {member!r} is not user:EMAIL, serviceAccount:EMAIL or group:EMAIL"
CONTROL_BAD_RESOURCE = (
    "resource {resource!r} is neither empty (the fleet host project) nor serviceAccount:EMAIL"
)
CONTROL_NOT_GRANTED = "{member} holds no {role} binding on {where}"
CONTROL_WHERE_PROJECT = "the project"
CONTROL_ONE_KIND = "give exactly one of 'user' or 'serviceAccount' (the principal's email)"
CONTROL_DUPLICATE_PRINCIPAL = "principal {email} is already in the running world"
CONTROL_DUPLICATE_TOKEN = "that token already belongs to {email}"
CONTROL_NO_PRINCIPAL = "principal {email!r} is not in the running world"
CONTROL_SCENARIO_CONTENT_TYPE = (
    "send the scenario as YAML with Content-Type application/yaml, text/yaml or text/plain "
    "(curl -H 'Content-Type: application/yaml' --data-binary @FILE), not {content_type!r}"
)
CONTROL_SCENARIO_EMPTY = (
    "no scenario in the request: send its YAML as the body, or name a built-in one with ?name="
)
CONTROL_SCENARIO_BOTH = "send either a YAML body or ?name=, not both"
# Where a posted scenario's mistakes point: "posted scenario:LINE: reason".
CONTROL_POSTED_SCENARIO = "posted scenario"
# The Connect Agent's log when the control API cuts or restores its connection.
AGENT_LOG_DISCONNECTED = (
    "disconnected from Connect Gateway: the connection was closed through the emulator's control API"
)
AGENT_LOG_RECONNECTED = "reconnected to Connect Gateway for project {project}"

# Faults injected through the control API: what the client sees, and what the audit trail says.
FAULT_CLUSTER_STATUS = (
    "the cluster answered {status}: a fault injected through connect-gateway-emulator's control API"
)
FAULT_NOTE_LATENCY = "latency {ms} ms"
FAULT_NOTE_CLUSTER_STATUS = "cluster status {status}"
FAULT_NOTE_DROP = "stream dropped after {bytes} bytes"
AUDIT_FAULT_CLUSTER_STATUS = (
    "an injected fault answered {status} in the cluster's place; the cluster never saw the request"
)
AUDIT_STREAM_DROPPED = "an injected fault dropped the stream after {bytes} bytes to the client"
# agent-stream-failure by injection: the same shape as AGENT_STREAM_INTERRUPTED.
AGENT_STREAM_DROPPED = (
    "generic::failed_precondition: the connection to the Connect Agent was interrupted: the "
    "stream was dropped after {bytes} bytes by an injected fault; re-establish the connection"
)

# A scenario mapping key written as a list or a mapping ("? [a]"), found while posting scenarios.
SCENARIO_UNHASHABLE_KEY = "a mapping key must be a plain value, not a list or a mapping"

# ControlClient (emulator.control.client).
CONTROL_CLIENT_NOT_SERVING = (
    "no emulator is serving from {directory}: start one with `connect-gateway-emulator serve`"
)
CONTROL_CLIENT_UNREACHABLE = "cannot reach the emulator's control API at {url}: {reason}"
CONTROL_CLIENT_NOT_JSON = (
    "the emulator answered {status} with a body that is not a control API answer: {body}"
)

# --- scenarios list | show | check -------------------------------------------------------------------

CHECK_LINE = "{verdict} {scenario}:{line}: `{command}` as {principal}"
CHECK_EXIT_CODE = "exit code {got}, expected {want}"
CHECK_MISSING = "{stream} lacks {text!r}; it was: {got!r}"
CHECK_ERROR_ID = "the audit trail has no {want!r} for this principal (it has: {got})"
CHECK_NO_KUBECTL = "error: scenarios check needs kubectl (the Google Cloud SDK's kubectl.1.NN or kubectl on PATH)"
CHECK_NOTHING = "{scenario}: no expectations"
CHECK_SUMMARY = "{passed} passed, {failed} failed"

# --- Custom resources: schemas, CEL and CRD checks (issue #14) ---------------------------------------
# apimachinery field.ErrorType.String() labels (pkg/util/validation/field/errors.go).
CR_TYPE_LABELS = {
    "FieldValueNotFound": "Not found", "FieldValueRequired": "Required value",
    "FieldValueDuplicate": "Duplicate value", "FieldValueInvalid": "Invalid value",
    "FieldValueNotSupported": "Unsupported value", "FieldValueForbidden": "Forbidden",
    "FieldValueTooLong": "Too long", "FieldValueTooMany": "Too many",
    "FieldValueTypeInvalid": "Invalid value", "InternalError": "Internal error",
}
CR_SUPPORTED_VALUES = "supported values: {values}"
# field.TooLong / field.TooMany details: up to apimachinery v0.31, from v0.32 (TooLong), and the
# singular unit from v0.34.
CR_TOO_LONG_1_31 = "must have at most {limit} bytes"
CR_TOO_LONG = "may not be more than {limit} {unit}"
CR_TOO_MANY = "must have at most {limit} {unit}"
CR_OBJECT_INVALID_BARE = '{kind} "{name}" is invalid'
# kube-openapi pkg/validation/errors/schema.go (the "in body" forms).
CR_TYPE_FAIL = '{path} in body must be of type {type}: {value}'
CR_TOO_LONG_OPENAPI = "{path} in body should be at most {limit} chars long"
CR_TOO_SHORT = "{path} in body should be at least {limit} chars long"
CR_PATTERN_FAIL = "{path} in body should match '{pattern}'"
CR_MULTIPLE_OF = "{path} in body should be a multiple of {factor}"
CR_MAX_INC = "{path} in body should be less than or equal to {limit}"
CR_MAX_EXC = "{path} in body should be less than {limit}"
CR_MIN_INC = "{path} in body should be greater than or equal to {limit}"
CR_MIN_EXC = "{path} in body should be greater than {limit}"
CR_UNIQUE = "{path} in body shouldn't contain duplicates"
CR_MAX_ITEMS = "{path} in body should have at most {limit} items"
CR_MIN_ITEMS = "{path} in body should have at least {limit} items"
CR_MIN_PROPERTIES = "{path} in body should have at least {limit} properties"
CR_MAX_PROPERTIES = "{path} in body should have at most {limit} properties"
CR_FORBIDDEN_PROPERTY = "{path}.{key} in body is a forbidden property"
# validate/values.go IsValueValidAgainstRange.
CR_OUT_OF_FORMAT = "Checked value must be of type {type} with format {format} in {path}"
# schema/objectmeta/validation.go (embedded resources) and apimachinery's path segment rules.
CR_MUST_BE_STRING = "must be a string"
CR_MUST_NOT_BE_EMPTY = "must not be empty"
CR_MIXED_CASE = "may have mixed case, but should otherwise match: {errors}"
CR_SEGMENT_DOT = "may not be '{name}'"
CR_SEGMENT_CONTAINS = "may not contain '{char}'"
CR_GROUP_VERSION = "unexpected GroupVersion string: {value}"
# schema/listtype/validation.go.
CR_LIST_MAP_ITEM = "must be an object for an array of list-type map"
# schema/cel/validation.go and compilation.go.
CR_CEL_FAILED_RULE = "failed rule: {rule}"
CR_CEL_EVAL_ERROR = "{error} evaluating rule: {rule}"
CR_CEL_NO_OVERLOAD = ("'{error}': call arguments did not match a supported operator, function or "
                      "macro signature for rule: {rule}")
CR_CEL_BLOCKED = ("some validation rules were not checked because the object was invalid; "
                  "correct the existing errors to complete validation")
CR_CEL_COMPILE = "compilation failed: {issues}"
CR_CEL_MESSAGE_COMPILE = "messageExpression compilation failed: {issues}"
CR_CEL_NOT_BOOL = "cel expression must evaluate to a bool"
CR_CEL_NO_SUCH_KEY = "no such key: {key}"
CR_CEL_DIV_ZERO = "division by zero"
CR_CEL_MODULUS_ZERO = "modulus by zero"
CR_CEL_OVERFLOW = "integer overflow"
CR_CEL_NO_SUCH_OVERLOAD = "no such overload"
# pkg/apis/apiextensions/validation/validation.go.
CRD_NAME_MISMATCH = 'must be spec.names.plural+"."+spec.group'
CRD_GROUP_DOT = "should be a domain with at least one dot"
CRD_STORAGE_VERSION = "must have exactly one version marked as storage version"
CRD_UNIQUE_VERSIONS = "must contain unique version names"
CRD_KIND_LIST_KIND = "kind and listKind may not be the same"
CRD_IMMUTABLE = "field is immutable"
CRD_ROOT_NULLABLE = "nullable cannot be true at the root"
CRD_UNIQUE_ITEMS = "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"
CRD_PROPS_AND_ADDITIONAL = "additionalProperties and properties are mutual exclusive"
CRD_RULE_MISSING = "rule is not specified"
CRD_MESSAGE_EMPTY = "must be non-empty if specified"
CRD_MESSAGE_LINE_BREAKS = "must not contain line breaks"
CRD_MESSAGE_EXPRESSION_EMPTY = "messageExpression must be non-empty if specified"
# pkg/apiserver/schema/validation.go (structural schemas).
CRD_ITEMS_REQUIRED = "must be specified"
CRD_TYPE_ROOT = "must not be empty at the root"
CRD_TYPE_ITEMS = "must not be empty for specified array items"
CRD_TYPE_FIELDS = "must not be empty for specified object fields"
CRD_TYPE_OBJECT_ROOT = "must be object at the root"
CRD_ADDITIONAL_ROOT = "must not be used at the root"
CRD_EMBEDDED_TYPE = "must be object if x-kubernetes-embedded-resource is true"
CRD_METADATA_ROOT = ("must not specify anything other than name and generateName, but metadata is "
                     "implicitly specified")
CRD_METADATA_NESTED = "must not be specified in a nested context"
CRD_INT_OR_STRING_PRESERVE = "must be false if x-kubernetes-int-or-string is true"
# apimachinery pkg/util/validation (IsDNS1035Label, IsDNS1123Subdomain).
DNS1035_LABEL_FORMAT = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
    "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN_FORMAT = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS_MAX_LENGTH = "must be no more than {limit} characters"
# IsQualifiedName's (its parts' EmptyError and RegexError).
NAME_PART_EMPTY = "must be non-empty"
QUALIFIED_NAME_FORMAT = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
QUALIFIED_NAME_SLASHES = (
    "a qualified name " + QUALIFIED_NAME_FORMAT + " with an optional DNS subdomain prefix "
    "and '/' (e.g. 'example.com/MyName')"
)
LABEL_VALUE_FORMAT = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
# apimachinery v0.35's content.IsLabelKey, which IsQualifiedName became in 1.35.
LABEL_KEY_SLASHES = QUALIFIED_NAME_SLASHES.replace("a qualified name ", "a valid label key ", 1)
MAX_BYTES = "must be no more than {limit} bytes"
# pkg/apis/core/validation/events.go (an Event's validation, either API).
EVENT_NAMESPACE_MISMATCH = "does not match event.namespace"
EVENT_AT_MOST = "can have at most {limit} characters"
EVENT_INVALID_TYPE = "has invalid value: {type}"
EVENT_UNSET = "needs to be unset"
EVENT_SERIES_COUNT = "should be at least 2"

# --- Server-side apply and managed fields (issue #14) ---
# k8s.io/apimachinery pkg/util/managedfields/internal/conflict.go (getConflictMessage, printManager)
# and sigs.k8s.io/structured-merge-diff merge/conflict.go.
SSA_CONFLICT_ONE = "Apply failed with 1 conflict: conflict with {manager}: {path}"
SSA_CONFLICT_MANY = "Apply failed with {count} conflicts: {details}"
SSA_CONFLICTS_WITH = "conflicts with {manager}:"
SSA_CONFLICT_LINE = "- {path}"
SSA_CONFLICT_CAUSE = "conflict with {manager}"
SSA_MANAGER_SUBRESOURCE = "{manager} with subresource {subresource}"
SSA_MANAGER_USING = "{manager} using {api_version}"
# structuredmerge.go and versioncheck.go.
SSA_MANAGED_FIELDS_NOT_NIL = "metadata.managedFields must be nil"
SSA_INVALID_OBJECT_TYPE = "invalid object type: {gvk}"
# An apply configuration structured-merge-diff cannot type (structuredmerge.go, typed/validate.go).
SSA_TYPED_PATCH = "failed to create typed patch object ({namespace}/{name}; {gvk}): {errors}"
SMD_ERRORS = "errors:"
SMD_EXPECTED_NUMERIC = "expected numeric (int or float), got {type}"
SMD_EXPECTED_STRING = "expected string, got {value}"
SMD_EXPECTED_BOOLEAN = "expected boolean, got {value}"
SMD_EXPECTED_SCALAR = "expected any scalar, got {value}"
SMD_EXPECTED_MAP = "expected map, got {value}"
SMD_EXPECTED_LIST = "expected list, got {value}"
SMD_ELEMENT = "element {index}: {error}"
SMD_DUPLICATE = "duplicate entries for key {key}"
# fieldmanager.go: live managedFields kube cannot decode, on apply (a 500).
SSA_DECODE_FAILED = "failed to decode managed fields: {error}"

# --- Custom resources: Tables and OpenAPI (issue #14) ---
# apiextensions-apiserver registry/customresource/tableconvertor: a printer column without a
# description of its own is described by its JSONPath.
CRD_COLUMN_DESCRIPTION = "Custom resource definition column (in JSONPath format): {path}"
# client-go's jsonpath prints a JSON null (a Go nil interface) like text/template does.
TABLE_NO_VALUE = "<no value>"
# apiextensions-apiserver controller/openapi/builder: the list kind's schema, and the apiVersion
# and kind it gives an x-kubernetes-embedded-resource object.
CRD_LIST_DESCRIPTION = "{list_kind} is a list of {kind}"
# metav1's PartialObjectMetadata and PartialObjectMetadataList docs, which describe a custom
# kind's metadata and its list's.
CRD_OBJECT_META_DESCRIPTION = (
    "Standard object's metadata. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
CRD_LIST_META_DESCRIPTION = (
    "Standard list metadata. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
    "#types-kinds"
)
CRD_LIST_ITEMS_DESCRIPTION = (
    "List of {plural}. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
)
CRD_EMBEDDED_API_VERSION_DESCRIPTION = (
    "apiVersion defines the versioned schema of this representation of an object. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
)
CRD_EMBEDDED_KIND_DESCRIPTION = (
    "kind is a string value representing the type of this object. In CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
    "#types-kinds"
)

# --- PatchOptions and field managers (apimachinery validation.go, issue #14) -----------------------
K8S_APPLY_NEEDS_MANAGER = "is required for apply patch"
K8S_FORCE_WITHOUT_APPLY = "may not be specified for non-apply patch"
K8S_FIELD_MANAGER_CHARACTER = "invalid character {char} (at position {position})"


# --- Job and CronJob controllers (issue #15) --------------------------------------------------------
# pkg/controller/controller_utils.go RealPodControl (the Job controller's pod Events).
JOB_POD_CREATED = "Created pod: {pod}"
JOB_POD_CREATE_FAILED = "Error creating: {error}"
JOB_POD_DELETED = "Deleted pod: {pod}"
# pkg/controller/job/job_controller.go: conditions and Events.
JOB_COMPLETED = "Job completed"
JOB_TOO_MANY_SUCCEEDED = "Too many succeeded pods running after completion count reached"
JOB_BACKOFF_LIMIT_EXCEEDED = "Job has reached the specified backoff limit"
JOB_DEADLINE_EXCEEDED = "Job was active longer than specified deadline"
JOB_COMPLETIONS_REACHED = "Reached expected number of succeeded pods"  # 1.31+
JOB_SUSPENDED = "Job suspended"
JOB_RESUMED = "Job resumed"
JOB_UNKNOWN_COMPLETION_MODE = "Skipped Job sync because completion mode is unknown"
# pkg/controller/cronjob/cronjob_controllerv2.go and utils.go.
CRONJOB_JOB_CREATED = "Created job {job}"
CRONJOB_JOB_CREATE_FAILED = "Error creating job: {error}"
CRONJOB_JOB_DELETED = "Deleted job {job}"
CRONJOB_JOB_DELETE_FAILED = "Deleted job: {error}"
CRONJOB_SAW_COMPLETED = "Saw completed job: {job}, status: {status}"
CRONJOB_UNEXPECTED_JOB = "Saw a job that the controller did not create or forgot: {job}"
CRONJOB_MISSING_JOB = "Active job went missing: {job}"
CRONJOB_UNKNOWN_TIME_ZONE = 'invalid timeZone: "{zone}": {error}'
CRONJOB_UNPARSEABLE_SCHEDULE = 'unparseable schedule: "{schedule}" : {error}'
CRONJOB_INVALID_SCHEDULE = "invalid schedule: {schedule} : {error}"
CRONJOB_MISSED_SCHEDULE = "Missed scheduled time to start a job: {time}"
CRONJOB_ALREADY_ACTIVE = ("Not starting job because prior execution is running and concurrency "
                          "policy is Forbid")
CRONJOB_TOO_MANY_MISSED = ("too many missed start times. Set or decrease "
                           ".spec.startingDeadlineSeconds or check clock skew")
CRONJOB_UNSUPPORTED_SCHEDULE = ('CRON_TZ or TZ used in schedule "{schedule}" is not officially '
                                "supported, see https://kubernetes.io/docs/concepts/workloads/"
                                "controllers/cron-jobs/ for more details")
CRONJOB_SCHEDULES_TOO_CLOSE = "time difference between two schedules is less than 1 second"
# Go's time.LoadLocation error.
CRONJOB_UNKNOWN_ZONE_ERROR = "unknown time zone {zone}"
# pkg/apis/batch/validation/validation.go (validateScheduleFormat, validateTimeZone).
CRONJOB_TZ_IN_SCHEDULE = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
CRONJOB_TIME_ZONE_EMPTY = "timeZone must be nil or non-empty string"
CRONJOB_TIME_ZONE_LOCAL = ("timeZone must be an explicit time zone as defined in "
                           "https://www.iana.org/time-zones")
# robfig/cron v3 parser.go (cron.ParseStandard) errors.
CRON_EMPTY_SPEC = "empty spec string"
CRON_BAD_LOCATION = "provided bad location {zone}: {error}"
CRON_FIELD_COUNT = "expected exactly 5 fields, found {count}: [{fields}]"
CRON_TOO_MANY_HYPHENS = "too many hyphens: {expr}"
CRON_TOO_MANY_SLASHES = "too many slashes: {expr}"
CRON_BELOW_MINIMUM = "beginning of range ({start}) below minimum ({minimum}): {expr}"
CRON_ABOVE_MAXIMUM = "end of range ({end}) above maximum ({maximum}): {expr}"
CRON_RANGE_REVERSED = "beginning of range ({start}) beyond end of range ({end}): {expr}"
CRON_ZERO_STEP = "step of range should be a positive number: {expr}"
CRON_NOT_AN_INT = 'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
CRON_NEGATIVE = "negative number ({number}) not allowed: {expr}"
CRON_BAD_DURATION = "failed to parse duration {spec}: {error}"
CRON_UNKNOWN_DESCRIPTOR = "unrecognized descriptor: {spec}"

# --- Controllers: services' endpoints and the garbage collector -----------------------------------
# pkg/controller/endpoint (Events from "endpoint-controller"); {error} is the refused write's
# Status message.
ENDPOINTS_CREATE_FAILED = "Failed to create endpoint for service {namespace}/{name}: {error}"
ENDPOINTS_UPDATE_FAILED = "Failed to update endpoint {namespace}/{name}: {error}"
# pkg/controller/endpointslice and k8s.io/endpointslice's reconciler (Events from
# "endpoint-slice-controller"): the Event's message wraps the reconciler's error.
ENDPOINTSLICES_UPDATE_FAILED = ("Error updating Endpoint Slices for Service "
                                "{namespace}/{name}: {error}")
ENDPOINTSLICE_CREATE_FAILED = ("failed to create EndpointSlice for Service "
                               "{namespace}/{name}: {error}")
ENDPOINTSLICE_UPDATE_FAILED = ("failed to update {slice} EndpointSlice for Service "
                               "{namespace}/{name}: {error}")
ENDPOINTSLICE_DELETE_FAILED = ("failed to delete {slice} EndpointSlice for Service "
                               "{namespace}/{name}: {error}")
# pkg/controller/garbagecollector graph_builder.go (an Event from "garbage-collector-controller"
# about a dependent whose ownerReference names an owner in another namespace); the reference is
# the collector's objectReference.String().
GC_OWNER_REF_INVALID_NAMESPACE = ('ownerRef [{api_version}/{kind}, namespace: {namespace}, '
                                  'name: {name}, uid: {uid}] does not exist in namespace '
                                  '"{namespace}"')
# (end of controllers: endpoints and garbage collector)

# --- Controllers: ReplicaSets, ReplicationControllers, Deployments (issue #15) ----------------------
# pkg/controller/controller_utils.go (RealPodControl): the Events a ReplicaSet or
# ReplicationController records about the pods it makes and removes.
REPLICAS_CREATED_POD = "Created pod: {pod}"
REPLICAS_DELETED_POD = "Deleted pod: {pod}"
REPLICAS_CREATE_FAILED = "Error creating: {error}"
REPLICAS_DELETE_FAILED = "Error deleting: {error}"
# pkg/controller/deployment/sync.go: ScalingReplicaSet Events (the "from" form since 1.26).
DEPLOYMENT_SCALED_UP_NEW = "Scaled up replica set {replica_set} to {replicas}"
DEPLOYMENT_SCALED = "Scaled {direction} replica set {replica_set} to {replicas} from {previous}"
DEPLOYMENT_SELECTING_ALL = ("This deployment is selecting all pods. A non-empty selector is "
                            "required.")
# deployment/sync.go and progress.go: condition messages.
DEPLOYMENT_PAUSED = "Deployment is paused"
DEPLOYMENT_RESUMED = "Deployment is resumed"
DEPLOYMENT_FOUND_NEW_RS = 'Found new replica set "{replica_set}"'
DEPLOYMENT_CREATED_NEW_RS = 'Created new replica set "{replica_set}"'
DEPLOYMENT_RS_CREATE_FAILED = 'Failed to create new replica set "{replica_set}": {error}'
DEPLOYMENT_MINIMUM_AVAILABLE = "Deployment has minimum availability."
DEPLOYMENT_MINIMUM_UNAVAILABLE = "Deployment does not have minimum availability."
DEPLOYMENT_RS_PROGRESSED = 'ReplicaSet "{replica_set}" has successfully progressed.'
DEPLOYMENT_PROGRESSED = 'Deployment "{deployment}" has successfully progressed.'
DEPLOYMENT_RS_PROGRESSING = 'ReplicaSet "{replica_set}" is progressing.'
DEPLOYMENT_PROGRESSING = 'Deployment "{deployment}" is progressing.'
DEPLOYMENT_RS_TIMED_OUT = 'ReplicaSet "{replica_set}" has timed out progressing.'
DEPLOYMENT_TIMED_OUT = 'Deployment "{deployment}" has timed out progressing.'


# --- Controllers: the scheduler and the kubelet (issue #15) ----------------------------------------
# kube-scheduler (pkg/scheduler: schedule_one.go, framework/types.go FitError, the filter plugins
# nodeunschedulable, tainttoleration and nodeaffinity, defaultpreemption, dynamicresources).
SCHED_SCHEDULED = "Successfully assigned {namespace}/{pod} to {node}"
SCHED_NO_NODES = "no nodes available to schedule pods"
SCHED_NODES_UNAVAILABLE = "0/{total} nodes are available: {reasons}. {post}"
SCHED_PREEMPTION_NOT_HELPFUL = (
    "preemption: 0/{total} nodes are available: {count} Preemption is not helpful for scheduling.")
SCHED_NO_CLAIMS_TO_DEALLOCATE = "no new claims to deallocate"
SCHED_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
SCHED_REASON_TAINT = "node(s) had untolerated taint {{{key}: {value}}}"
SCHED_REASON_TAINTS = "node(s) had untolerated taint(s)"
SCHED_REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
SCHED_GATED = "Scheduling is blocked due to non-empty scheduling gates"
# The kubelet's Events (pkg/kubelet/images/image_manager.go, kuberuntime_container.go,
# kuberuntime_manager.go doBackOff); ``{pod}`` is format.Pod: name_namespace(uid).
KUBELET_PULLING = 'Pulling image "{image}"'
KUBELET_PULLED = 'Successfully pulled image "{image}" in {pull} ({total} including waiting)'
KUBELET_PULLED_SIZE = KUBELET_PULLED + ". Image size: {size} bytes."  # 1.30+
KUBELET_IMAGE_PRESENT = 'Container image "{image}" already present on machine'
KUBELET_PULL_FAILED = 'Failed to pull image "{image}": {error}'
# containerd's answer for an image that does not exist, relayed through the CRI as a gRPC error.
KUBELET_IMAGE_NOT_FOUND = (
    'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
    'failed to resolve reference "{ref}": {ref}: not found')
KUBELET_ERROR = "Error: {reason}"
KUBELET_PULL_BACKOFF = 'Back-off pulling image "{image}"'
KUBELET_CREATED = "Created container {container}"  # up to 1.31
KUBELET_CREATED_NAMED = "Created container: {container}"  # 1.32 to 1.34
KUBELET_STARTED = "Started container {container}"  # up to 1.34
KUBELET_CREATED_ONLY = "Container created"  # 1.35+
KUBELET_STARTED_ONLY = "Container started"  # 1.35+
KUBELET_KILLING = "Stopping container {container}"
KUBELET_BACKOFF_RESTART = "Back-off restarting failed container {container} in pod {pod}"
KUBELET_CRASH_LOOP = "back-off {delay} restarting failed container={container} pod={pod}"
# Pod condition messages (pkg/kubelet/status/generate.go); ``{names}`` is Go's %s of a []string
# without its brackets.
KUBELET_CONTAINERS_UNKNOWN = "containers with unknown status: [{names}]"
KUBELET_CONTAINERS_UNREADY = "containers with unready status: [{names}]"
KUBELET_CONTAINERS_INCOMPLETE = "containers with incomplete status: [{names}]"
KUBELET_READINESS_GATE_MISSING = (
    'corresponding condition of pod readiness gate "{gate}" does not exist.')
KUBELET_READINESS_GATE_NOT_TRUE = (
    'the status of pod readiness gate "{gate}" is not "True", but {status}')

# --- Controllers: StatefulSets and DaemonSets (issue #15) --------------------------------------------
# pkg/controller/statefulset/stateful_pod_control.go: Events from "statefulset-controller" (reason
# Successful<Verb> / Failed<Verb>; {verb} is create, update or delete); the errors it aggregates.
STATEFULSET_POD_SUCCEEDED = "{verb} Pod {pod} in StatefulSet {set} successful"
STATEFULSET_POD_FAILED = "{verb} Pod {pod} in StatefulSet {set} failed error: {error}"
STATEFULSET_CLAIM_SUCCEEDED = "{verb} Claim {claim} Pod {pod} in StatefulSet {set} success"
STATEFULSET_CLAIM_FAILED = "{verb} Claim {claim} for Pod {pod} in StatefulSet {set} failed error: {error}"
STATEFULSET_CLAIM_CREATE_ERROR = "failed to create PVC {claim}: {error}"
STATEFULSET_CLAIM_DELETING = "pvc {claim} is being deleted"
# pkg/controller/controller_utils.go RealPodControl: Events from "daemonset-controller".
DAEMONSET_POD_CREATED = "Created pod: {pod}"
DAEMONSET_POD_CREATE_FAILED = "Error creating: {error}"
DAEMONSET_POD_DELETED = "Deleted pod: {pod}"
DAEMONSET_POD_DELETE_FAILED = "Error deleting: {error}"
# pkg/controller/daemon/daemon_controller.go.
DAEMONSET_SELECTING_ALL = "This daemon set is selecting all pods. A non-empty selector is required."
DAEMONSET_FAILED_POD = "Found failed daemon pod {namespace}/{pod} on node {node}, will try to kill it"
DAEMONSET_SUCCEEDED_POD = ("Found succeeded daemon pod {namespace}/{pod} on node {node}, will try "
                           "to delete it")
# (end of controllers: StatefulSets and DaemonSets)

# -- workload validation (registry/workloadchecks.py): kube's apps and batch validation -----------
K8S_EMPTY_SELECTOR = "empty selector is invalid for {kind}"
K8S_SELECTOR_MISMATCH = "`selector` does not match template `labels`"
K8S_INVALID_LABEL_SELECTOR = "invalid label selector"
# WarningsOnCreate of the kinds whose names become pods' hostnames (registry/checks.py).
K8S_POD_NAME_NOT_LABEL = ("metadata.name: this is used in the Pod's hostname, which can result "
                          "in surprising behavior; a DNS label is recommended: [{problems}]")
K8S_WORKLOAD_NAME_NOT_LABEL = ("metadata.name: this is used in Pod names and hostnames, which "
                               "can result in surprising behavior; a DNS label is recommended: "
                               "[{problems}]")
K8S_TEMPLATE_EPHEMERAL = "ephemeral containers not allowed in pod template"
K8S_TEMPLATE_DEADLINE = "activeDeadlineSeconds in {kind} is not Supported"
# apimachinery IsValidPercent: RegexError's words, its two spaces before "or" included.
K8S_PERCENT = ("a valid percent string must be a numeric string followed by an ending '%' "
               "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")
K8S_OVER_100_PERCENT = "must not be greater than 100%"
K8S_SURGE_AND_UNAVAILABLE_ZERO = "may not be 0 when `maxSurge` is 0"
K8S_RECREATE_ROLLING_UPDATE = "may not be specified when strategy `type` is 'Recreate'"
K8S_DEADLINE_NOT_OVER_MIN_READY = "must be greater than minReadySeconds"
K8S_POD_MANAGEMENT_POLICY = "must be 'OrderedReady' or 'Parallel'"
K8S_STATEFUL_SET_STRATEGY = "must be 'RollingUpdate' or 'OnDelete'"
K8S_ROLLING_UPDATE_ON_DELETE = "only allowed for updateStrategy 'RollingUpdate'"
K8S_DAEMON_SET_SURGE_WITH_UNAVAILABLE = "may not be set when maxUnavailable is non-zero"
K8S_DAEMON_SET_BOTH_ZERO = "cannot be 0 when maxSurge is 0"
# batch/v1 Jobs and CronJobs (registry/jobchecks.py).
K8S_JOB_TEMPLATE_SELECTOR = "`selector` will be auto-generated"
K8S_JOB_LABEL_VALUE = "must be '{value}'"
K8S_JOB_SELECTOR_NOT_GENERATED = "`selector` not auto-generated"
K8S_MAX_FAILED_WITHOUT_LIMIT = "when maxFailedIndexes is specified"
K8S_REQUIRES_INDEXED = "requires indexed completion mode"
K8S_FAILURE_POLICY_NEVER = 'only "Never" is supported when podFailurePolicy is specified'
K8S_INDEXED_NEEDS_COMPLETIONS = "when completion mode is Indexed"
K8S_INDEXED_PARALLELISM = "must be less than or equal to {limit} when completion mode is Indexed"
K8S_MAX_FAILED_OVER_COMPLETIONS = "must be less than or equal to completions"
K8S_AT_MOST = "must be less than or equal to {limit}"
K8S_MAX_FAILED_FOR_HIGH_COMPLETIONS = "must be specified when completions is above {limit}"
K8S_HIGH_COMPLETIONS_BOUND = ("must be less than or equal to {limit} when completions are above "
                              "{completions} and used with backoff limit per index")
K8S_FAIL_INDEX_NEEDS_LIMIT = "requires the backoffLimitPerIndex to be set"
K8S_FAILURE_RULE_BOTH = "specifying both OnExitCodes and OnPodConditions is not supported"
K8S_FAILURE_RULE_NEITHER = "specifying one of OnExitCodes and OnPodConditions is required"
K8S_FAILURE_RULE_CONTAINER = (
    "must be one of the container or initContainer names in the pod template")
K8S_EXIT_CODES_EMPTY = "at least one value is required"
K8S_EXIT_CODE_ZERO = "must not be 0 for the In operator"
K8S_EXIT_CODES_ORDER = "must be ordered"
K8S_VALID_VALUES = "valid values: [{values}]"  # Go's %q of a []string
K8S_SUCCESS_POLICY_NO_RULES = (
    "at least one rules must be specified when the successPolicy is specified")
K8S_SUCCESS_RULE_EMPTY = "at least one of succeededCount or succeededIndexes must be specified"
K8S_SUCCEEDED_INDEXES = "error parsing succeededIndexes: {error}"
K8S_SUCCEEDED_COUNT_COMPLETIONS = (
    "must be less than or equal to {completions} (the number of specified completions)")
K8S_SUCCEEDED_COUNT_INDEXES = ("must be less than or equal to {total} (the number of indexes in "
                               "the specified succeededIndexes field)")
K8S_INDEXES_ORDER = "non-increasing order, previous: {previous}, current: {current}"
K8S_INDEXES_PARTS = ("the fragment {fragment} violates the requirement that an index interval "
                     "can have at most two parts separated by '-'")
K8S_INDEXES_NOT_INT = "cannot convert string to integer for index: {part}"
K8S_INDEXES_TOO_LARGE = "too large index: {part}"
# HorizontalPodAutoscalers and PodDisruptionBudgets (registry/scalingchecks.py).
K8S_AT_LEAST = "must be greater than or equal to {bound}"
K8S_NOT_BELOW_ZERO = "must be greater than or equal to zero"
K8S_MAX_UNDER_MIN_REPLICAS = "must be greater than or equal to `minReplicas`"
K8S_SCALE_TO_ZERO_METRICS = (
    "must specify at least one Object or External metric to support scaling to zero replicas")
K8S_METRIC_TYPE_REQUIRED = "must specify a metric source type"
K8S_METRIC_SOURCE_REQUIRED = "must populate information for the given metric source"
K8S_METRIC_SOURCE_ONLY = "must populate the given metric source only"
K8S_OBJECT_TARGET = "must set either a target value or averageValue"
K8S_EXTERNAL_TARGET = "must set either a target value for metric or a per-pod target"
K8S_EXTERNAL_BOTH = "may not set both a target value for metric and a per-pod target"
K8S_PODS_TARGET = "must specify a positive target averageValue"
K8S_RESOURCE_NAME_REQUIRED = "must specify a resource name"
K8S_METRIC_CONTAINER_REQUIRED = "must specify a container"
K8S_RESOURCE_TARGET = "must set either a target raw value or a target utilization"
K8S_RESOURCE_BOTH = "may not set both a target raw value and a target utilization"
K8S_TARGET_TYPE_REQUIRED = "must specify a metric target type"
K8S_TARGET_TYPE = "must be either Utilization, Value, or AverageValue"
K8S_TARGET_NOT_POSITIVE = "must be positive"
K8S_METRIC_NAME_REQUIRED = "must specify a metric name"
K8S_NO_SCALING_POLICY = "must specify at least one Policy"
K8S_PDB_BOTH_SET = "minAvailable and maxUnavailable cannot be both set"
# An object's metadata beyond its name (registry/metachecks.py).
K8S_NO_NEW_FINALIZERS = (
    "no new finalizers can be added if the object is being deleted, found new finalizers "
    "{finalizers}")
K8S_FINALIZER_NOT_STANDARD = "name is neither a standard finalizer name nor is it fully qualified"
K8S_FINALIZERS_EXCLUSIVE = "finalizer orphan and foregroundDeletion cannot be both set"
K8S_OWNER_VERSION_EMPTY = "version must not be empty"
K8S_OWNER_FIELD_EMPTY_OLD = "{field} must not be empty"  # before 1.34
K8S_OWNER_FIELD_EMPTY = "must not be empty"
K8S_OWNER_BANNED = "{gvk} is disallowed from being an owner"
K8S_OWNER_TWO_CONTROLLERS = ('Only one reference can have Controller set to true. Found "true" '
                             "in references for {first} and {second}")
