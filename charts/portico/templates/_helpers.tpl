{{/*
Names and labels.
*/}}
{{- define "portico.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release name plus chart name, unless the release name already contains it. */}}
{{- define "portico.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "portico.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object of the release. */}}
{{- define "portico.labels" -}}
helm.sh/chart: {{ include "portico.chart" . }}
{{ include "portico.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: portico
{{- end }}

{{- define "portico.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portico.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of the backend pods. */}}
{{- define "portico.backend.selectorLabels" -}}
{{ include "portico.selectorLabels" . }}
app.kubernetes.io/component: backend
{{- end }}

{{/* Selector of the in-cluster PostgreSQL pod. */}}
{{- define "portico.postgresql.selectorLabels" -}}
{{ include "portico.selectorLabels" . }}
app.kubernetes.io/component: postgresql
{{- end }}

{{- define "portico.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "portico.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "portico.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "portico.appConfigName" -}}
{{- printf "%s-app-config" (include "portico.fullname" .) }}
{{- end }}

{{- define "portico.appConfigSecretName" -}}
{{- default (printf "%s-app-config" (include "portico.fullname" .)) .Values.appConfigSecret.existingSecret }}
{{- end }}

{{/* True (non-empty) when an app-config Secret is mounted. */}}
{{- define "portico.hasAppConfigSecret" -}}
{{- if or .Values.appConfigSecret.data .Values.appConfigSecret.existingSecret }}true{{ end }}
{{- end }}

{{- define "portico.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "portico.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "portico.postgresql.secretName" -}}
{{- default (include "portico.postgresql.fullname" .) .Values.postgresql.inCluster.existingSecret }}
{{- end }}

{{/*
The database the backend uses: "external", "inCluster" or "sqlite". Exactly one must be chosen.
*/}}
{{- define "portico.databaseMode" -}}
{{- $modes := list }}
{{- if .Values.postgresql.external.host }}{{ $modes = append $modes "external" }}{{ end }}
{{- if .Values.postgresql.inCluster.enabled }}{{ $modes = append $modes "inCluster" }}{{ end }}
{{- if .Values.database.sqlite.enabled }}{{ $modes = append $modes "sqlite" }}{{ end }}
{{- if ne (len $modes) 1 }}
{{- fail (printf "choose exactly one database: set postgresql.external.host, or postgresql.inCluster.enabled=true, or database.sqlite.enabled=true (database.sqlite.enabled is true by default: set it to false when you configure PostgreSQL); chosen now: %s" (ternary "none" (join ", " $modes) (empty $modes))) }}
{{- end }}
{{- first $modes }}
{{- end }}

{{/*
Checks that values fit together, beyond what values.schema.json can express. Included by the
Deployment, so any render fails early with a message that names the keys.
*/}}
{{- define "portico.validate" -}}
{{- $mode := include "portico.databaseMode" . }}
{{- if and (eq $mode "sqlite") (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) }}
{{- fail "database.sqlite.enabled allows a single replica: with replicaCount > 1 or autoscaling.enabled, every pod would have its own database. Configure postgresql.external or postgresql.inCluster and set database.sqlite.enabled=false." }}
{{- end }}
{{- if and (eq $mode "external") (not .Values.postgresql.external.existingSecret) }}
{{- fail "postgresql.external.existingSecret is required with postgresql.external.host: the chart reads the database password from a Secret, never from values." }}
{{- end }}
{{- if and .Values.appConfigSecret.data .Values.appConfigSecret.existingSecret }}
{{- fail "set either appConfigSecret.data or appConfigSecret.existingSecret, not both." }}
{{- end }}
{{- with .Values.auth.oidc }}
{{- if and .metadataUrl (or (not .clientId) (not .existingSecret)) }}
{{- fail "auth.oidc.metadataUrl needs auth.oidc.clientId and auth.oidc.existingSecret (holding the client secret and the session secret)." }}
{{- end }}
{{- end }}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) }}
{{- fail "httpRoute.enabled needs httpRoute.parentRefs (the Gateway to attach to)." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not be greater than autoscaling.maxReplicas." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not (or .Values.autoscaling.targetCPUUtilizationPercentage .Values.autoscaling.targetMemoryUtilizationPercentage)) }}
{{- fail "autoscaling.enabled needs autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage." }}
{{- end }}
{{- if and .Values.metrics.enabled (eq (int .Values.metrics.port) (int .Values.service.port)) }}
{{- fail "metrics.port must differ from service.port: the Ingress and HTTPRoute forward to service.port, and the metrics must stay inside the cluster." }}
{{- end }}
{{- if and (or .Values.metrics.serviceMonitor.enabled .Values.metrics.prometheusRule.enabled .Values.metrics.dashboard.enabled) (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor, metrics.prometheusRule and metrics.dashboard need metrics.enabled=true: without it the backend serves no metrics." }}
{{- end }}
{{- if and .Values.permission.enabled (empty .Values.permission.adminRefs) }}
{{- fail "permission.adminRefs needs at least one user or group while permission.enabled is true (the default), e.g. --set 'permission.adminRefs[0]=group:default/platform-team': without an admin nobody may register software or manage the catalog. To run without permission checks, set permission.enabled=false." }}
{{- end }}
{{- end }}

{{/*
The app-config the chart generates: the inline appConfig with the keys the chart manages set on
top of it, key by key, so a chart value always wins over the same key in appConfig.
*/}}
{{- define "portico.appConfig" -}}
{{- $config := deepCopy (.Values.appConfig | default dict) }}
{{- $mode := include "portico.databaseMode" . }}

{{- $app := index $config "app" | default dict }}
{{- $_ := set $app "baseUrl" .Values.appBaseUrl }}
{{- $_ := set $config "app" $app }}

{{- $backend := index $config "backend" | default dict }}
{{- $_ := set $backend "baseUrl" (default .Values.appBaseUrl .Values.backendBaseUrl) }}
{{- $cors := index $backend "cors" | default dict }}
{{- $_ := set $cors "origin" .Values.appBaseUrl }}
{{- $_ := set $backend "cors" $cors }}

{{- if eq $mode "sqlite" }}
{{- $_ := set $backend "database" (dict "client" "better-sqlite3" "connection" (dict "directory" "/data/sqlite")) }}
{{- else if and (eq $mode "external") .Values.postgresql.external.database }}
{{- $database := index $backend "database" | default dict }}
{{- $connection := index $database "connection" | default dict }}
{{- $_ := set $connection "database" "${POSTGRES_DB}" }}
{{- $_ := set $database "connection" $connection }}
{{- $_ := set $database "pluginDivisionMode" "schema" }}
{{- $_ := set $database "ensureSchemaExists" true }}
{{- $_ := set $backend "database" $database }}
{{- end }}

{{- with .Values.redis }}
{{- if .host }}
{{- $credentials := "" }}
{{- if .existingSecret }}
{{- $credentials = printf "%s:${REDIS_PASSWORD}@" .username }}
{{- else if .username }}
{{- $credentials = printf "%s@" .username }}
{{- end }}
{{- $url := printf "%s://%s${REDIS_HOST}:${REDIS_PORT}" (ternary "rediss" "redis" .tls) $credentials }}
{{- $_ := set $backend "cache" (dict "store" "redis" "connection" $url) }}
{{- end }}
{{- end }}

{{- if .Values.auth.backendSecret.existingSecret }}
{{- $auth := index $backend "auth" | default dict }}
{{- $access := index $auth "externalAccess" | default list }}
{{- $legacy := dict "type" "legacy" "options" (dict "secret" "${BACKEND_SECRET}" "subject" "legacy-backend-secret") }}
{{- $_ := set $auth "externalAccess" (append $access $legacy) }}
{{- $_ := set $backend "auth" $auth }}
{{- end }}
{{- $_ := set $config "backend" $backend }}

{{- with .Values.directorySync }}
{{- if .ldap.enabled }}
{{- $catalog := index $config "catalog" | default dict }}
{{- $sync := index $catalog "directorySync" | default dict }}
{{- $_ := set $sync "maxRemovedShare" .maxRemovedShare }}
{{- $_ := set $sync "acceptLargeChanges" .acceptLargeChanges }}
{{- $_ := set $catalog "directorySync" $sync }}
{{- $providers := index $catalog "providers" | default dict }}
{{- $ldapOrg := index $providers "ldapOrg" | default dict }}
{{- $users := dict "dn" .ldap.users.baseDn "options" (dict "filter" .ldap.users.filter) }}
{{- with .ldap.users.map }}{{ $_ := set $users "map" (deepCopy .) }}{{ end }}
{{- $groups := dict "dn" .ldap.groups.baseDn "options" (dict "filter" .ldap.groups.filter) }}
{{- with .ldap.groups.map }}{{ $_ := set $groups "map" (deepCopy .) }}{{ end }}
{{- $_ := set $ldapOrg .ldap.id (dict "target" .ldap.url "bind" (dict "dn" .ldap.bindDn "secret" "${LDAP_BIND_PASSWORD}") "users" $users "groups" $groups "schedule" (deepCopy .ldap.schedule)) }}
{{- $_ := set $providers "ldapOrg" $ldapOrg }}
{{- $_ := set $catalog "providers" $providers }}
{{- $_ := set $config "catalog" $catalog }}
{{- end }}
{{- end }}

{{- $permission := index $config "permission" | default dict }}
{{- $_ := set $permission "enabled" .Values.permission.enabled }}
{{- $_ := set $permission "adminRefs" .Values.permission.adminRefs }}
{{- $_ := set $permission "ownerOf" (deepCopy .Values.permission.ownerOf) }}
{{- $_ := set $config "permission" $permission }}

{{- toYaml $config }}
{{- end }}

{{/* A secretKeyRef env var. Arguments: list name secretName key */}}
{{- define "portico.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 | quote }}
      key: {{ index . 2 | quote }}
{{- end }}

{{/*
Environment of the backend container: database, cache and sign-in settings that the image's
app-config.production.yaml and the generated app-config read, then extraEnv. Secrets only ever
come through secretKeyRef.
*/}}
{{- define "portico.backend.env" -}}
{{- $mode := include "portico.databaseMode" . }}
{{- if eq $mode "external" }}
{{- with .Values.postgresql.external }}
- name: POSTGRES_HOST
  value: {{ .host | quote }}
- name: POSTGRES_PORT
  value: {{ .port | quote }}
- name: POSTGRES_USER
  value: {{ .user | quote }}
{{- include "portico.secretEnv" (list "POSTGRES_PASSWORD" .existingSecret .passwordKey) | nindent 0 }}
{{- if .database }}
- name: POSTGRES_DB
  value: {{ .database | quote }}
{{- end }}
{{- if .sslMode }}
- name: PGSSLMODE
  value: {{ .sslMode | quote }}
{{- end }}
{{- end }}
{{- else if eq $mode "inCluster" }}
- name: POSTGRES_HOST
  value: {{ include "portico.postgresql.fullname" . | quote }}
- name: POSTGRES_PORT
  value: "5432"
- name: POSTGRES_USER
  value: {{ .Values.postgresql.inCluster.user | quote }}
{{- include "portico.secretEnv" (list "POSTGRES_PASSWORD" (include "portico.postgresql.secretName" .) .Values.postgresql.inCluster.passwordKey) | nindent 0 }}
{{- end }}
{{- with .Values.redis }}
{{- if .host }}
- name: REDIS_HOST
  value: {{ .host | quote }}
- name: REDIS_PORT
  value: {{ .port | quote }}
{{- if .existingSecret }}
{{- include "portico.secretEnv" (list "REDIS_PASSWORD" .existingSecret .passwordKey) | nindent 0 }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.auth.oidc }}
{{- if .metadataUrl }}
- name: AUTH_OIDC_METADATA_URL
  value: {{ .metadataUrl | quote }}
- name: AUTH_OIDC_CLIENT_ID
  value: {{ .clientId | quote }}
{{- include "portico.secretEnv" (list "AUTH_OIDC_CLIENT_SECRET" .existingSecret .clientSecretKey) | nindent 0 }}
{{- include "portico.secretEnv" (list "AUTH_SESSION_SECRET" .existingSecret .sessionSecretKey) | nindent 0 }}
{{- end }}
{{- end }}
{{- with .Values.directorySync.ldap }}
{{- if .enabled }}
{{- include "portico.secretEnv" (list "LDAP_BIND_PASSWORD" .existingSecret .passwordKey) | nindent 0 }}
{{- end }}
{{- end }}
{{- with .Values.auth.backendSecret }}
{{- if .existingSecret }}
{{- include "portico.secretEnv" (list "BACKEND_SECRET" .existingSecret .key) | nindent 0 }}
{{- end }}
{{- end }}
{{- if .Values.metrics.enabled }}
- name: PORTICO_METRICS_ENABLED
  value: "true"
- name: PORTICO_METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
{{- end }}
{{- with .Values.tracing }}
{{- if .otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .otlpEndpoint | quote }}
- name: OTEL_TRACES_SAMPLER
  value: parentbased_traceidratio
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .sampleRatio | quote }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{- toYaml . | nindent 0 }}
{{- end }}
{{- end }}
