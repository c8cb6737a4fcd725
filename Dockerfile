# portgate as a container image: the bundled CLI (dist/, no node_modules) on a
# Node.js base. Build after `npm run build`:
#
#   docker build -t portgate .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock portgate check --image app:ci
#
# NODE_BASE is any Debian-based Node.js >= 20 image with /bin/sh and a `node`
# user (uid 1000), as the official node images have; the tests build one
# without a registry (test/image/node-base.sh).
ARG NODE_BASE=node:24-bookworm-slim
FROM ${NODE_BASE}

ARG NODE_BASE
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="portgate" \
      org.opencontainers.image.description="CI gate that fails container images whose Dockerfile EXPOSE, real listening sockets and declared port spec drift apart." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_BASE}" \
      org.opencontainers.image.documentation="https://www.npmjs.com/package/portgate"

# The layout of `npm install -g portgate`, minus node_modules: dist/ is bundled.
# package.json only marks dist/*.js as ES modules.
COPY package.json /usr/local/lib/node_modules/portgate/package.json
COPY schema/ /usr/local/lib/node_modules/portgate/schema/
COPY dist/ /usr/local/lib/node_modules/portgate/dist/
RUN ln -s ../lib/node_modules/portgate/dist/cli.js /usr/local/bin/portgate \
 && mkdir -p /work && chown node:node /work

# Started as root, portgate itself switches to this user (uid:gid) before it
# does anything, adding the Docker socket's group, unless that would break the
# run: see "Container image" in README.md. `docker run --user` wins.
ENV PORTGATE_USER=1000:1000
WORKDIR /work
ENTRYPOINT ["portgate"]
CMD ["--help"]
