# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022@sha256:9d4a2c6f0b8e1d3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f7b9d1a
WORKDIR C:\app
RUN powershell -Command `
    Invoke-WebRequest https://example.com/x.ps1 -OutFile x.ps1
LABEL org.opencontainers.image.title=app `
      org.opencontainers.image.version=1 `
      org.opencontainers.image.revision=abc `
      org.opencontainers.image.created=2026-01-01 `
      org.opencontainers.image.source=https://example.com `
      org.opencontainers.image.licenses=MIT
USER ContainerUser
EXPOSE 8000
HEALTHCHECK CMD ["C:\\app\\app.exe", "healthcheck"]
ENTRYPOINT ["C:\\app\\app.exe"]
